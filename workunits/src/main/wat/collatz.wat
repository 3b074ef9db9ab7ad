;; The built-in "collatz" app as a WebAssembly module: the same unit input bytes as CollatzApp.run
;; ({"from":A,"to":B}, compact JSON) give the same output bytes ({"maxSteps":S,"argmax":n}): the number
;; in [from, to) whose trajectory (n -> n/2 when even, 3n + 1 when odd) takes the most steps to reach 1,
;; the smallest on ties. Browsers run it; BuiltInModulesTest checks it against the Java app.
;;
;; Trajectories that leave 64 bits (the first starts at 8,528,817,511) continue in 128-bit arithmetic
;; (hi, lo): below CollatzApp.MAX_TO = 10^12 no trajectory comes near 2^128 (the highest, about 2^78, is
;; far from it), and a step that would pass 2^127 traps instead of giving a wrong count.
;; A malformed input, or one out of CollatzApp's bounds, traps where the Java app throws.
;;
;; Memory: 0..39 checkpoint (from, to, next, maxSteps, argmax as i64), 64..127 output, 1024..5119 the
;; input, 8192.. the step table (i32 per number below its size).
(module
  (import "enjambre" "progress" (func $progress (param f64)))
  (import "enjambre" "checkpoint_due" (func $checkpoint_due (result i32)))
  (import "enjambre" "checkpoint" (func $checkpoint (param i32 i32)))
  (import "enjambre" "restore" (func $restore (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 256) "{\22from\22:")
  (data (i32.const 272) ",\22to\22:")
  (data (i32.const 288) "{\22maxSteps\22:")
  (data (i32.const 304) ",\22argmax\22:")
  (data (i32.const 320) "}")

  (global $in i32 (i32.const 1024))
  (global $inMax i32 (i32.const 4096))
  (global $pos (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (global $CHUNK i64 (i64.const 65536))
  (global $CACHE i64 (i64.const 1048576))
  (global $MAX_TO i64 (i64.const 1000000000000))
  (global $MAX_ODD_TRIPLE i64 (i64.const 3074457345618258602))

  ;; The input goes at 1024; at most 4096 bytes (CollatzApp refuses inputs over 100 bytes anyway).
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

  ;; The steps from every n below size to 1, as i32 at `table` (each from a smaller entry).
  (func $stepTable (param $table i32) (param $size i32)
    (local $n i32)
    (local $x i64)
    (local $k i32)
    (i64.store (local.get $table) (i64.const 0))
    (local.set $n (i32.const 2))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $n) (local.get $size)))
      (local.set $x (i64.extend_i32_u (local.get $n)))
      (local.set $k (i32.const 0))
      (block $below (loop $step
        (br_if $below (i64.lt_u (local.get $x) (i64.extend_i32_u (local.get $n))))
        (if (i64.eqz (i64.and (local.get $x) (i64.const 1)))
          (then (local.set $x (i64.shr_u (local.get $x) (i64.const 1))))
          (else (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 3)) (i64.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $step)))
      (i32.store (i32.add (local.get $table) (i32.shl (local.get $n) (i32.const 2)))
        (i32.add (local.get $k)
                 (i32.load (i32.add (local.get $table) (i32.shl (i32.wrap_i64 (local.get $x)) (i32.const 2))))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next))))

  ;; The number of steps from n >= 1 to 1, using the table of the first `size` numbers.
  (func $steps (param $n i64) (param $table i32) (param $size i32) (result i32)
    (local $x i64)
    (local $k i32)
    (local $tz i64)
    (local $hi i64)
    (local $lo i64)
    (local $t i64)
    (local $s i64)
    (local $r i64)
    (local.set $x (local.get $n))
    (loop $step
      (if (i64.lt_u (local.get $x) (i64.extend_i32_u (local.get $size)))
        (then
          (return (i32.add (local.get $k)
            (i32.load (i32.add (local.get $table) (i32.shl (i32.wrap_i64 (local.get $x)) (i32.const 2))))))))
      (if (i64.eqz (i64.and (local.get $x) (i64.const 1)))
        (then
          (local.set $tz (i64.ctz (local.get $x)))
          (local.set $x (i64.shr_u (local.get $x) (local.get $tz)))
          (local.set $k (i32.add (local.get $k) (i32.wrap_i64 (local.get $tz))))
          (br $step)))
      (if (i64.le_u (local.get $x) (global.get $MAX_ODD_TRIPLE))
        (then
          (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 3)) (i64.const 1)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $step)))
      ;; past 64 bits: (hi, lo) until the value fits again
      (local.set $hi (i64.const 0))
      (local.set $lo (local.get $x))
      (block $fits (loop $big
        (br_if $fits (i32.and (i64.eqz (local.get $hi)) (i64.le_u (local.get $lo) (global.get $MAX_ODD_TRIPLE))))
        (if (i64.eqz (i64.and (local.get $lo) (i64.const 1)))
          (then
            (if (i64.eqz (local.get $lo))
              (then
                (local.set $tz (i64.ctz (local.get $hi)))
                (local.set $lo (i64.shr_u (local.get $hi) (local.get $tz)))
                (local.set $hi (i64.const 0))
                (local.set $tz (i64.add (local.get $tz) (i64.const 64))))
              (else
                (local.set $tz (i64.ctz (local.get $lo)))
                (local.set $lo (i64.or (i64.shr_u (local.get $lo) (local.get $tz))
                                       (i64.shl (local.get $hi) (i64.sub (i64.const 64) (local.get $tz)))))
                (local.set $hi (i64.shr_u (local.get $hi) (local.get $tz)))))
            (local.set $k (i32.add (local.get $k) (i32.wrap_i64 (local.get $tz)))))
          (else
            (if (i64.gt_u (local.get $hi) (i64.const 0x2AAAAAAAAAAAAAAA)) (then unreachable))
            ;; 3 * (hi, lo) + 1 = (hi, lo) << 1 + (hi, lo) + 1, with the carries of each addition
            (local.set $t (i64.shl (local.get $lo) (i64.const 1)))
            (local.set $s (i64.add (local.get $t) (local.get $lo)))
            (local.set $r (i64.add (local.get $s) (i64.const 1)))
            (local.set $hi (i64.add (i64.mul (local.get $hi) (i64.const 3))
              (i64.add (i64.shr_u (local.get $lo) (i64.const 63))
                (i64.add (i64.extend_i32_u (i64.lt_u (local.get $s) (local.get $t)))
                         (i64.extend_i32_u (i64.lt_u (local.get $r) (local.get $s)))))))
            (local.set $lo (local.get $r))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (br $big)))
      (local.set $x (local.get $lo))
      (br $step))
    unreachable)

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $from i64)
    (local $to i64)
    (local $next i64)
    (local $end i64)
    (local $n i64)
    (local $s i64)
    (local $maxSteps i64)
    (local $argmax i64)
    (local $size i64)
    (local $at i32)
    (global.set $pos (local.get $ptr))
    (global.set $end (i32.add (local.get $ptr) (local.get $len)))
    (call $expect (i32.const 256) (i32.const 8))
    (local.set $from (call $number))
    (call $expect (i32.const 272) (i32.const 6))
    (local.set $to (call $number))
    (call $expect (i32.const 320) (i32.const 1))
    (if (i32.ne (global.get $pos) (global.get $end)) (then unreachable))
    (if (i64.lt_s (local.get $from) (i64.const 1)) (then unreachable))
    (if (i64.le_s (local.get $to) (local.get $from)) (then unreachable))
    (if (i64.gt_s (local.get $to) (global.get $MAX_TO)) (then unreachable))

    (local.set $next (local.get $from))
    (local.set $maxSteps (i64.const -1))
    ;; resume from a checkpoint of this range that is consistent (as CollatzApp.restore checks)
    (if (i32.eq (call $restore (i32.const 0) (i32.const 40)) (i32.const 40))
      (then
        (if (i32.and
              (i32.and (i64.eq (i64.load (i32.const 0)) (local.get $from)) (i64.eq (i64.load (i32.const 8)) (local.get $to)))
              (i32.and
                (i32.and (i64.gt_s (i64.load (i32.const 16)) (local.get $from))
                         (i64.lt_s (i64.load (i32.const 16)) (local.get $to)))
                (i32.and
                  (i32.and (i64.ge_s (i64.load (i32.const 32)) (local.get $from))
                           (i64.lt_s (i64.load (i32.const 32)) (i64.load (i32.const 16))))
                  (i32.and (i64.ge_s (i64.load (i32.const 24)) (i64.const 0))
                           (i64.le_s (i64.load (i32.const 24)) (i64.const 2147483647))))))
          (then
            (local.set $next (i64.load (i32.const 16)))
            (local.set $maxSteps (i64.load (i32.const 24)))
            (local.set $argmax (i64.load (i32.const 32)))))))

    ;; a table pays off when the unit is several times larger; it never changes the answer
    (local.set $size (i64.shl (i64.sub (local.get $to) (local.get $from)) (i64.const 3)))
    (if (i64.lt_s (local.get $size) (i64.const 1024)) (then (local.set $size (i64.const 1024))))
    (if (i64.gt_s (local.get $size) (global.get $CACHE)) (then (local.set $size (global.get $CACHE))))
    (call $reserve (i32.add (i32.const 8192) (i32.shl (i32.wrap_i64 (local.get $size)) (i32.const 2))))
    (call $stepTable (i32.const 8192) (i32.wrap_i64 (local.get $size)))

    (block $done (loop $chunk
      (br_if $done (i64.ge_s (local.get $next) (local.get $to)))
      (local.set $end (i64.add (local.get $next) (global.get $CHUNK)))
      (if (i64.gt_s (local.get $end) (local.get $to)) (then (local.set $end (local.get $to))))
      (local.set $n (local.get $next))
      (block $chunkDone (loop $number
        (br_if $chunkDone (i64.ge_s (local.get $n) (local.get $end)))
        (local.set $s (i64.extend_i32_u
          (call $steps (local.get $n) (i32.const 8192) (i32.wrap_i64 (local.get $size)))))
        (if (i64.gt_s (local.get $s) (local.get $maxSteps))
          (then
            (local.set $maxSteps (local.get $s))
            (local.set $argmax (local.get $n))))
        (local.set $n (i64.add (local.get $n) (i64.const 1)))
        (br $number)))
      (local.set $next (local.get $end))
      (if (i64.lt_s (local.get $next) (local.get $to))
        (then
          (call $progress (f64.div (f64.convert_i64_s (i64.sub (local.get $next) (local.get $from)))
                                   (f64.convert_i64_s (i64.sub (local.get $to) (local.get $from)))))
          (if (call $checkpoint_due)
            (then
              (i64.store (i32.const 0) (local.get $from))
              (i64.store (i32.const 8) (local.get $to))
              (i64.store (i32.const 16) (local.get $next))
              (i64.store (i32.const 24) (local.get $maxSteps))
              (i64.store (i32.const 32) (local.get $argmax))
              (call $checkpoint (i32.const 0) (i32.const 40))))))
      (br $chunk)))
    (call $progress (f64.const 1))

    ;; {"maxSteps":S,"argmax":n}: built backwards from "}" at 127
    (i32.store8 (i32.const 127) (i32.const 125))
    (local.set $at (i32.sub (call $decimal (local.get $argmax) (i32.const 127)) (i32.const 10)))
    (memory.copy (local.get $at) (i32.const 304) (i32.const 10))
    (local.set $at (i32.sub (call $decimal (local.get $maxSteps) (local.get $at)) (i32.const 12)))
    (memory.copy (local.get $at) (i32.const 288) (i32.const 12))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $at)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (i32.const 128) (local.get $at))))))
