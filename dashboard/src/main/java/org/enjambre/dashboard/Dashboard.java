package org.enjambre.dashboard;

import java.util.List;
import java.util.Locale;

/**
 * The dashboard's static files: where they live on the classpath, their names and content types.
 *
 * <p>A coordinator serves {@code RESOURCE_ROOT + "/" + name} for every name in {@link #assets()} at
 * {@code /name}, and {@link #INDEX} at {@code /}. The page talks only to the same origin (relative URLs),
 * so the files work behind any path prefix.
 */
public final class Dashboard {
    /** The classpath directory that holds the files, without leading or trailing slash. */
    public static final String RESOURCE_ROOT = "enjambre-dashboard";

    /** The page served at {@code /}. */
    public static final String INDEX = "index.html";

    /**
     * A Content-Security-Policy the page works under; a coordinator should send it with {@link #INDEX}.
     * Images include {@code blob:} because results and previews are fetched with the API key and shown
     * from object URLs.
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self'; img-src 'self' blob:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** The volunteer page (issue 18): computes work units in Web Workers with WebAssembly. */
    public static final String VOLUNTEER = "volunteer/index.html";

    /**
     * The policy of the volunteer page and its Web Worker: {@link #CONTENT_SECURITY_POLICY} plus
     * {@code 'wasm-unsafe-eval'}, without which a browser refuses to compile WebAssembly. It allows
     * nothing else (no {@code eval} of JavaScript, nothing from another origin).
     */
    public static final String VOLUNTEER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY
            .replace("script-src 'self';", "script-src 'self' 'wasm-unsafe-eval';");

    private static final List<String> ASSETS = List.of(
            "index.html",
            "style.css",
            "favicon.svg",
            "app.js",
            "api.js",
            "live.js",
            "store.js",
            "media.js",
            "dom.js",
            "format.js",
            "chart.js",
            "admin.js",
            "views/overview.js",
            "views/jobs.js",
            "views/job-card.js",
            "views/job-detail.js",
            "views/workers.js",
            "views/validation.js",
            "views/credit.js",
            "volunteer/index.html",
            "volunteer/volunteer.css",
            "volunteer/volunteer.js",
            "volunteer/protocol.js",
            "volunteer/checkpoints.js",
            "volunteer/runner.js",
            "volunteer/sandbox.js");

    private Dashboard() {
    }

    /** Every file of the dashboard, as paths relative to {@link #RESOURCE_ROOT} (and to {@code /}). */
    public static List<String> assets() {
        return ASSETS;
    }

    /** The classpath resource name of an asset, e.g. {@code enjambre-dashboard/app.js}. */
    public static String resourcePath(String asset) {
        if (!ASSETS.contains(asset)) {
            throw new IllegalArgumentException("'" + asset + "' is not a dashboard asset (known: " + ASSETS + ")");
        }
        return RESOURCE_ROOT + "/" + asset;
    }

    /**
     * The Content-Security-Policy for a request path: the volunteer page's ({@code /volunteer} and below)
     * or the dashboard's (everything else).
     */
    public static String contentSecurityPolicy(String path) {
        return path.equals("/volunteer") || path.startsWith("/volunteer/")
                ? VOLUNTEER_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;
    }

    /**
     * The {@code Content-Type} to serve a file with, by its extension. JavaScript must be served as
     * {@code text/javascript}: browsers refuse ES modules with any other type.
     */
    public static String contentType(String asset) {
        String name = asset.toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "js", "mjs" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            case "json" -> "application/json";
            case "txt" -> "text/plain; charset=utf-8";
            default -> throw new IllegalArgumentException("no content type known for '" + asset
                    + "': expected .html, .js, .css, .svg, .png, .json or .txt");
        };
    }
}
