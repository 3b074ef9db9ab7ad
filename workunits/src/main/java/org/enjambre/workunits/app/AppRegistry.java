package org.enjambre.workunits.app;

import org.enjambre.workunits.apps.CollatzApp;
import org.enjambre.workunits.apps.MandelbrotApp;
import org.enjambre.workunits.apps.NoopApp;
import org.enjambre.workunits.apps.PrimesApp;
import org.enjambre.workunits.apps.WordCountApp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The apps a coordinator or worker knows, by name. Immutable. */
public final class AppRegistry {
    private final Map<String, App> apps;

    private AppRegistry(Map<String, App> apps) {
        this.apps = Collections.unmodifiableMap(apps);
    }

    /** The built-in apps: primes, collatz, mandelbrot, noop, wordcount, checksum. */
    public static AppRegistry builtIns() {
        return of(new PrimesApp(), new CollatzApp(), new MandelbrotApp(), new NoopApp(), new WordCountApp(),
                new org.enjambre.workunits.apps.ChecksumApp());
    }

    public static AppRegistry of(App... apps) {
        Map<String, App> byName = new LinkedHashMap<>();
        for (App app : apps) {
            if (byName.put(app.name(), app) != null) {
                throw new IllegalArgumentException("two apps are named '" + app.name() + "'");
            }
        }
        return new AppRegistry(byName);
    }

    /** This registry with one more app. */
    public AppRegistry with(App app) {
        Map<String, App> byName = new LinkedHashMap<>(apps);
        if (byName.put(app.name(), app) != null) {
            throw new IllegalArgumentException("an app named '" + app.name() + "' is already registered");
        }
        return new AppRegistry(byName);
    }

    public Optional<App> find(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    /** The app named so; throws {@link IllegalArgumentException} when there is none. */
    public App get(String name) {
        App app = apps.get(name);
        if (app == null) {
            throw new IllegalArgumentException("unknown app '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return app;
    }

    /** The app names, in registration order. */
    public Set<String> names() {
        return apps.keySet();
    }
}
