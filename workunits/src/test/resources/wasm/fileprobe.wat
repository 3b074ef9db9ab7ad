;; Reports what the enjambre.file_* functions give it: a test module. Input: any number of 16-byte requests
;; (file i32, offset i64, len i32, little-endian). Output: file_count() as i32, file_size(i) as i64 for each file,
;; then per request the i32 that file_read(file, offset, buf, len) returned followed by the bytes it read.
(module
  (import "enjambre" "file_count" (func $count (result i32)))
  (import "enjambre" "file_size" (func $size (param i32) (result i64)))
  (import "enjambre" "file_read" (func $read (param i32 i64 i32 i32) (result i32)))
  (memory (export "memory") 16)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $start i32)
    (local $out i32)
    (local $end i32)
    (local $n i32)
    (local $f i32)
    (local $got i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $start (local.get $end))
    (local.set $n (call $count))
    (i32.store (local.get $start) (local.get $n))
    (local.set $out (i32.add (local.get $start) (i32.const 4)))
    (block $sized
      (loop $next
        (br_if $sized (i32.ge_u (local.get $f) (local.get $n)))
        (i64.store (local.get $out) (call $size (local.get $f)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $next)))
    (block $done
      (loop $request
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $got
          (call $read (i32.load (local.get $ptr)) (i64.load offset=4 (local.get $ptr))
                      (i32.add (local.get $out) (i32.const 4)) (i32.load offset=12 (local.get $ptr))))
        (i32.store (local.get $out) (local.get $got))
        (local.set $out (i32.add (local.get $out) (i32.add (i32.const 4) (local.get $got))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $request)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $start)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (local.get $out) (local.get $start))))))
