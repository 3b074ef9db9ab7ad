package org.enjambre.coordinator.store;

/** The SQL databases the store runs on, with the column types that differ between them. */
enum Dialect {
    H2("BINARY VARYING", "CHARACTER VARYING"),
    POSTGRES("BYTEA", "TEXT");

    final String binary;
    final String text;

    Dialect(String binary, String text) {
        this.binary = binary;
        this.text = text;
    }
}
