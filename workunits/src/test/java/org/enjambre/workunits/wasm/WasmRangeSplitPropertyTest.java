package org.enjambre.workunits.wasm;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class WasmRangeSplitPropertyTest {
    private final WasmApp app = new WasmApp(sha -> Optional.empty());

    @Property(tries = 100)
    void rangeUnits_tileTheRangeEvenly(@ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long from,
                                       @ForAll @LongRange(min = 1, max = 1_000_000_000_000_000L) long size,
                                       @ForAll @IntRange(min = 1, max = 200) int units) {
        int workUnits = (int) Math.min(units, size);
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.put("module", "a".repeat(64));
        input.putObject("range").put("from", from).put("to", from + size);

        long expectedStart = from;
        long smallest = Long.MAX_VALUE;
        long largest = 0;
        for (int i = 0; i < workUnits; i++) {
            ByteBuffer b = ByteBuffer.wrap(WasmUnitInput.decode(app.unitInput(input, workUnits, i)).payload())
                    .order(ByteOrder.LITTLE_ENDIAN);
            long start = b.getLong();
            long end = b.getLong();
            assertThat(start).isEqualTo(expectedStart);
            assertThat(end).isGreaterThan(start);
            smallest = Math.min(smallest, end - start);
            largest = Math.max(largest, end - start);
            expectedStart = end;
        }
        assertThat(expectedStart).isEqualTo(from + size);
        assertThat(largest - smallest).isLessThanOrEqualTo(1);
    }
}
