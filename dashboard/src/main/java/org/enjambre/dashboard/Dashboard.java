package org.enjambre.dashboard;

/** Where the dashboard's static files live on the classpath; every coordinator serves them at {@code /}. */
public final class Dashboard {
    /** The classpath directory holding index.html and its assets. */
    public static final String RESOURCE_ROOT = "enjambre-dashboard";

    private Dashboard() {
    }
}
