package org.enjambre.workunits.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;

import java.util.Locale;

/**
 * The rule that a job's costliest unit fits its deadline on a slow volunteer machine: the app's
 * {@link App#maxUnitSeconds} estimate times {@link App#SLOW_MACHINE_FACTOR} must not exceed
 * {@code deadlineSeconds}. A refusal names {@code workUnits}, the estimate, and both ways out.
 */
final class UnitCost {
    private UnitCost() {
    }

    /** Refuses the job when its costliest unit does not fit; input and unit count are valid for the app. */
    static void check(App app, JsonNode input, int workUnits, int deadlineSeconds) throws SpecException {
        double seconds = app.maxUnitSeconds(input, workUnits);
        double slow = seconds * App.SLOW_MACHINE_FACTOR;
        if (!(seconds > 0) || slow <= deadlineSeconds) {
            return;
        }
        StringBuilder fix = new StringBuilder();
        int units = fewestUnitsThatFit(app, input, workUnits, deadlineSeconds);
        if (units > 0) {
            fix.append("use at least ").append(units).append(" workUnits");
        }
        long longer = (long) Math.ceil(slow);
        if (longer <= JobSpecParser.MAX_DEADLINE_SECONDS) {
            fix.append(fix.length() > 0 ? " or " : "use ").append("a deadlineSeconds of at least ").append(longer);
        }
        if (fix.length() == 0) {
            fix.append("make the job smaller: no unit count or deadline within the limits fits it");
        }
        throw new SpecException("workUnits", String.format(Locale.ROOT,
                "a unit of this job is estimated at up to %,.0f s of work on the reference machine, %,.0f s on a slow "
                        + "volunteer machine (%.0f× slower), longer than deadlineSeconds (%d): %s",
                seconds, slow, App.SLOW_MACHINE_FACTOR, deadlineSeconds, fix));
    }

    /** The fewest units (more than {@code workUnits}) whose costliest one fits, or 0 when no valid count does. */
    private static int fewestUnitsThatFit(App app, JsonNode input, int workUnits, int deadlineSeconds) {
        int lo = workUnits + 1;
        int hi = JobSpecParser.MAX_WORK_UNITS;
        if (!fitsOrInvalid(app, input, hi, deadlineSeconds)) {
            return 0;
        }
        // Cost falls as the unit count grows, and counts past an app's own bound (more bands than rows)
        // are invalid from some count on: "fits or invalid" is monotone, the first such count is the answer
        // when it is valid.
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (fitsOrInvalid(app, input, mid, deadlineSeconds)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        try {
            app.validate(input, lo);
            return lo;
        } catch (SpecException | RuntimeException e) {
            return 0; // e.g. more bands than the image has rows
        }
    }

    private static boolean fitsOrInvalid(App app, JsonNode input, int workUnits, int deadlineSeconds) {
        try {
            app.validate(input, workUnits);
            return app.maxUnitSeconds(input, workUnits) * App.SLOW_MACHINE_FACTOR <= deadlineSeconds;
        } catch (SpecException | RuntimeException e) {
            return true;
        }
    }
}
