package org.enjambre.coordinator.http;

/**
 * One HTTP byte range ({@code Range: bytes=FIRST-LAST}, {@code bytes=FIRST-}, {@code bytes=-SUFFIX}) resolved against
 * a body of {@code size} bytes: {@code [offset, offset + length)}. Several ranges in one header are not served
 * (RFC 9110 lets a server answer those with the whole body).
 */
record ByteRange(long offset, long length, boolean partial) {

    /** The whole body. */
    static ByteRange whole(long size) {
        return new ByteRange(0, size, false);
    }

    /**
     * The range a header asks of a body of {@code size} bytes; the whole body when there is no header, or one this
     * parser does not serve (several ranges, another unit).
     *
     * @throws ApiException 416 {@code RANGE_NOT_SATISFIABLE} when the range lies outside the body
     */
    static ByteRange parse(String header, long size) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return whole(size);
        }
        String spec = header.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return whole(size);
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            long first;
            long last;
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    throw unsatisfiable(header, size);
                }
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(a);
                last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
                if (first < 0 || first >= size || last < first) {
                    throw unsatisfiable(header, size);
                }
            }
            return new ByteRange(first, last - first + 1, true);
        } catch (NumberFormatException e) {
            return whole(size);
        }
    }

    /** The {@code Content-Range} header of a partial answer. */
    String contentRange(long size) {
        return "bytes " + offset + "-" + (offset + length - 1) + "/" + size;
    }

    private static ApiException unsatisfiable(String header, long size) {
        return new ApiException(416, "RANGE_NOT_SATISFIABLE", "the range '" + header + "' lies outside the "
                + size + " bytes of this body");
    }
}
