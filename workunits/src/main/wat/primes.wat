;; The built-in "primes" app as a WebAssembly module: the same unit input bytes as PrimesApp.run
;; ({"from":A,"to":B}, compact JSON) give the same output bytes ({"count":N}). Browsers run it; the
;; build compiles it (workunits/src/main/wat, Chicory's wat2wasm) and BuiltInModulesTest checks it
;; against the Java app byte for byte.
;;
;; Algorithm: a segmented sieve of Eratosthenes over the odd numbers, as PrimesApp does (any correct
;; count gives the same bytes). A malformed input or one out of PrimesApp's bounds traps, where the
;; Java app throws: both are client errors.
;;
;; Memory: 0..31 checkpoint (from, to, next, count as i64), 64..127 output, 1024..5119 the input,
;; 8192.. the base sieve, then the base primes (i32), then the segment flags.
(module
  (import "enjambre" "progress" (func $progress (param f64)))
  (import "enjambre" "checkpoint_due" (func $checkpoint_due (result i32)))
  (import "enjambre" "checkpoint" (func $checkpoint (param i32 i32)))
  (import "enjambre" "restore" (func $restore (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 256) "{\22from\22:")
  (data (i32.const 272) ",\22to\22:")
  (data (i32.const 288) "{\22count\22:")
  (data (i32.const 304) "}")

  (global $in i32 (i32.const 1024))
  (global $inMax i32 (i32.const 4096))
  (global $pos (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (global $SEGMENT i32 (i32.const 262144))
  (global $MAX_TO i64 (i64.const 10000000000000))

  ;; The input goes at 1024; at most 4096 bytes (PrimesApp refuses inputs over 100 bytes anyway).
  (func (export "alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (global.get $inMax)) (then unreachable))
    (global.get $in))

  ;; Grows memory so that [0, end) is inside it; traps when it cannot.
  (func $reserve (param $end i32)
    (local $pages i32)
    (local.set $pages (i32.add (i32.shr_u (local.get $end) (i32.const 16)) (i32.const 1)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable)))))

  ;; Consumes the len bytes at lit from the input, trapping when the input does not continue with them.
  (func $expect (param $lit i32) (param $len i32)
    (local $i i32)
    (if (i32.gt_u (i32.add (global.get $pos) (local.get $len)) (global.get $end)) (then unreachable))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.ne (i32.load8_u (i32.add (global.get $pos) (local.get $i)))
                    (i32.load8_u (i32.add (local.get $lit) (local.get $i))))
          (then unreachable))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $pos (i32.add (global.get $pos) (local.get $len))))

  ;; Reads a non-negative integer as Jackson writes it (no sign, no leading zero); at most 18 digits.
  (func $number (result i64)
    (local $v i64)
    (local $digits i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (global.get $pos) (global.get $end)))
        (local.set $c (i32.sub (i32.load8_u (global.get $pos)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
        (if (i32.and (i32.eqz (local.get $c)) (i32.eqz (local.get $digits)))
          (then
            ;; a leading zero is only allowed as the number 0 itself
            (if (i32.lt_u (i32.add (global.get $pos) (i32.const 1)) (global.get $end))
              (then
                (if (i32.le_u (i32.sub (i32.load8_u offset=1 (global.get $pos)) (i32.const 48)) (i32.const 9))
                  (then unreachable))))))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (if (i32.gt_u (local.get $digits) (i32.const 18)) (then unreachable))
        (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
        (br $next)))
    (if (i32.eqz (local.get $digits)) (then unreachable))
    (local.get $v))

  ;; Writes v in decimal ending just before `at`; returns the address of its first digit.
  (func $decimal (param $v i64) (param $at i32) (result i32)
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (local.get $at))

  ;; The largest r with r * r <= x, for 0 <= x < 2^62 (as PrimesApp.isqrt).
  (func $isqrt (param $x i64) (result i64)
    (local $r i64)
    (local.set $r (i64.trunc_f64_s (f64.sqrt (f64.convert_i64_s (local.get $x)))))
    (block $down (loop $more
      (br_if $down (i64.le_s (i64.mul (local.get $r) (local.get $r)) (local.get $x)))
      (local.set $r (i64.sub (local.get $r) (i64.const 1)))
      (br $more)))
    (block $up (loop $more
      (br_if $up (i64.gt_s (i64.mul (i64.add (local.get $r) (i64.const 1)) (i64.add (local.get $r) (i64.const 1)))
                           (local.get $x)))
      (local.set $r (i64.add (local.get $r) (i64.const 1)))
      (br $more)))
    (local.get $r))

  ;; Writes the odd primes up to limit as i32 at `primes` (sieving in the bytes at `sieve`); returns how many.
  (func $oddPrimes (param $limit i32) (param $sieve i32) (param $primes i32) (result i32)
    (local $i i32)
    (local $m i64)
    (local $found i32)
    (if (i32.lt_s (local.get $limit) (i32.const 3)) (then (return (i32.const 0))))
    (memory.fill (local.get $sieve) (i32.const 0) (i32.add (local.get $limit) (i32.const 1)))
    (local.set $i (i32.const 3))
    (block $done (loop $next
      (br_if $done (i32.gt_s (local.get $i) (local.get $limit)))
      (if (i32.eqz (i32.load8_u (i32.add (local.get $sieve) (local.get $i))))
        (then
          (i32.store (i32.add (local.get $primes) (i32.shl (local.get $found) (i32.const 2))) (local.get $i))
          (local.set $found (i32.add (local.get $found) (i32.const 1)))
          (local.set $m (i64.mul (i64.extend_i32_u (local.get $i)) (i64.extend_i32_u (local.get $i))))
          (block $crossed (loop $cross
            (br_if $crossed (i64.gt_s (local.get $m) (i64.extend_i32_u (local.get $limit))))
            (i32.store8 (i32.add (local.get $sieve) (i32.wrap_i64 (local.get $m))) (i32.const 1))
            (local.set $m (i64.add (local.get $m) (i64.extend_i32_u (i32.shl (local.get $i) (i32.const 1)))))
            (br $cross)))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $next)))
    (local.get $found))

  ;; Counts the primes among the n odd numbers start, start + 2, ... (start odd, at least 3).
  (func $countSegment (param $start i64) (param $n i32) (param $primes i32) (param $nprimes i32) (param $flags i32)
        (result i64)
    (local $end i64)
    (local $k i32)
    (local $p i64)
    (local $square i64)
    (local $first i64)
    (local $i i32)
    (local $words i32)
    (local $composites i64)
    (local.set $words (i32.shr_u (i32.add (local.get $n) (i32.const 7)) (i32.const 3)))
    (memory.fill (local.get $flags) (i32.const 0) (i32.shl (local.get $words) (i32.const 3)))
    (local.set $end (i64.add (local.get $start) (i64.shl (i64.extend_i32_u (local.get $n)) (i64.const 1))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $nprimes)))
      (local.set $p (i64.extend_i32_u
        (i32.load (i32.add (local.get $primes) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $square (i64.mul (local.get $p) (local.get $p)))
      (br_if $done (i64.ge_s (local.get $square) (local.get $end)))
      (local.set $first (i64.mul (i64.div_s (i64.sub (i64.add (local.get $start) (local.get $p)) (i64.const 1))
                                            (local.get $p))
                                 (local.get $p)))
      (if (i64.gt_s (local.get $square) (local.get $first)) (then (local.set $first (local.get $square))))
      (if (i64.eqz (i64.and (local.get $first) (i64.const 1)))
        (then (local.set $first (i64.add (local.get $first) (local.get $p)))))
      (local.set $first (i64.shr_s (i64.sub (local.get $first) (local.get $start)) (i64.const 1)))
      (if (i64.lt_s (local.get $first) (i64.extend_i32_u (local.get $n)))
        (then
          (local.set $i (i32.wrap_i64 (local.get $first)))
          (block $crossed (loop $cross
            (br_if $crossed (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store8 (i32.add (local.get $flags) (local.get $i)) (i32.const 1))
            (local.set $i (i32.add (local.get $i) (i32.wrap_i64 (local.get $p))))
            (br $cross)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    ;; every flag is a byte 0 or 1, so a word's popcount is its number of composites
    (local.set $i (i32.const 0))
    (block $counted (loop $word
      (br_if $counted (i32.ge_u (local.get $i) (local.get $words)))
      (local.set $composites (i64.add (local.get $composites)
        (i64.popcnt (i64.load (i32.add (local.get $flags) (i32.shl (local.get $i) (i32.const 3)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $word)))
    (i64.sub (i64.extend_i32_u (local.get $n)) (local.get $composites)))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $from i64)
    (local $to i64)
    (local $next i64)
    (local $count i64)
    (local $limit i32)
    (local $primes i32)
    (local $nprimes i32)
    (local $flags i32)
    (local $n i64)
    (local $at i32)
    (global.set $pos (local.get $ptr))
    (global.set $end (i32.add (local.get $ptr) (local.get $len)))
    (call $expect (i32.const 256) (i32.const 8))
    (local.set $from (call $number))
    (call $expect (i32.const 272) (i32.const 6))
    (local.set $to (call $number))
    (call $expect (i32.const 304) (i32.const 1))
    (if (i32.ne (global.get $pos) (global.get $end)) (then unreachable))
    (if (i64.le_s (local.get $to) (local.get $from)) (then unreachable))
    (if (i64.gt_s (local.get $to) (global.get $MAX_TO)) (then unreachable))

    (local.set $next (i64.or (local.get $from) (i64.const 1)))
    (if (i64.lt_s (local.get $next) (i64.const 3)) (then (local.set $next (i64.const 3))))
    (local.set $count (i64.extend_i32_u (i32.and (i64.le_s (local.get $from) (i64.const 2))
                                                 (i64.lt_s (i64.const 2) (local.get $to)))))
    ;; resume from a checkpoint of this range that is consistent (as PrimesApp.restore checks)
    (if (i32.eq (call $restore (i32.const 0) (i32.const 32)) (i32.const 32))
      (then
        (if (i32.and
              (i32.and (i64.eq (i64.load (i32.const 0)) (local.get $from)) (i64.eq (i64.load (i32.const 8)) (local.get $to)))
              (i32.and
                (i32.and (i64.ge_s (i64.load (i32.const 16)) (i64.const 3))
                         (i64.eq (i64.and (i64.load (i32.const 16)) (i64.const 1)) (i64.const 1)))
                (i32.and
                  (i32.and (i64.gt_s (i64.load (i32.const 16)) (local.get $from))
                           (i64.lt_s (i64.load (i32.const 16)) (local.get $to)))
                  (i32.and (i64.ge_s (i64.load (i32.const 24)) (i64.const 0))
                           (i64.le_s (i64.load (i32.const 24)) (i64.sub (i64.load (i32.const 16)) (local.get $from)))))))
          (then
            (local.set $next (i64.load (i32.const 16)))
            (local.set $count (i64.load (i32.const 24)))))))

    (local.set $limit (i32.wrap_i64 (call $isqrt (i64.sub (local.get $to) (i64.const 1)))))
    (local.set $primes (i32.and (i32.add (i32.add (i32.const 8192) (local.get $limit)) (i32.const 8)) (i32.const -8)))
    (call $reserve (i32.add (local.get $primes) (i32.const 8)))
    (call $reserve (i32.add (local.get $primes) (i32.shl (i32.shr_u (local.get $limit) (i32.const 1)) (i32.const 2))))
    (local.set $nprimes (call $oddPrimes (local.get $limit) (i32.const 8192) (local.get $primes)))
    (local.set $flags (i32.add (local.get $primes) (i32.add (i32.shl (local.get $nprimes) (i32.const 2)) (i32.const 8))))
    (local.set $flags (i32.and (local.get $flags) (i32.const -8)))
    (call $reserve (i32.add (local.get $flags) (global.get $SEGMENT)))

    (block $done (loop $segment
      (br_if $done (i64.ge_s (local.get $next) (local.get $to)))
      (local.set $n (i64.shr_s (i64.add (i64.sub (local.get $to) (local.get $next)) (i64.const 1)) (i64.const 1)))
      (if (i64.gt_s (local.get $n) (i64.extend_i32_u (global.get $SEGMENT)))
        (then (local.set $n (i64.extend_i32_u (global.get $SEGMENT)))))
      (local.set $count (i64.add (local.get $count)
        (call $countSegment (local.get $next) (i32.wrap_i64 (local.get $n)) (local.get $primes) (local.get $nprimes)
                            (local.get $flags))))
      (local.set $next (i64.add (local.get $next) (i64.shl (local.get $n) (i64.const 1))))
      (if (i64.lt_s (local.get $next) (local.get $to))
        (then
          (call $progress (f64.div (f64.convert_i64_s (i64.sub (local.get $next) (local.get $from)))
                                   (f64.convert_i64_s (i64.sub (local.get $to) (local.get $from)))))
          (if (call $checkpoint_due)
            (then
              (i64.store (i32.const 0) (local.get $from))
              (i64.store (i32.const 8) (local.get $to))
              (i64.store (i32.const 16) (local.get $next))
              (i64.store (i32.const 24) (local.get $count))
              (call $checkpoint (i32.const 0) (i32.const 32))))))
      (br $segment)))
    (call $progress (f64.const 1))

    ;; {"count":N}: "}" at 127, the digits before it, the 9-byte prefix before those
    (i32.store8 (i32.const 127) (i32.const 125))
    (local.set $at (i32.sub (call $decimal (local.get $count) (i32.const 127)) (i32.const 9)))
    (memory.copy (local.get $at) (i32.const 288) (i32.const 9))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $at)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (i32.const 128) (local.get $at))))))
