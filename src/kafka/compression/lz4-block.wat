;; The LZ4 block format's decoder (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md) in
;; WebAssembly, for lz4-block.ts. Compiled by scripts/build-wasm.ts into lz4-block.wasm.ts; a unit
;; test checks the two agree.
;;
;; `decode(s, to, at, limit)` decodes the block in memory [s, to) to memory from `at`, writing no
;; decoded byte at or past `limit`, and returns where the decoded bytes end, or a negative code for
;; a corrupt block (lz4-block.ts names them). A match may reach back to `at` only (an independent
;; block). The caller leaves 16 bytes of room after `to` and after `limit`: short literal runs and
;; matches are copied in 8-byte words whose last one may run past the run (LZ4's "wild copy"); what
;; they write past a run is overwritten by the next one before anything reads it, and never past
;; `limit` + 16.
(module
  (memory (export "memory") 1)
  (func (export "decode") (param $s i32) (param $to i32) (param $at i32) (param $limit i32) (result i32)
    (local $d i32) (local $token i32) (local $lit i32) (local $more i32)
    (local $off i32) (local $len i32) (local $m i32) (local $end i32) (local $bytesEnd i32)
    (local.set $d (local.get $at))
    (loop $sequence
      (if (i32.ge_u (local.get $s) (local.get $to)) (then (return (i32.const -1))))
      (local.set $token (i32.load8_u (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      ;; Literals: the token's high nibble, 15 continued by bytes while they are 255.
      (local.set $lit (i32.shr_u (local.get $token) (i32.const 4)))
      (if (i32.eq (local.get $lit) (i32.const 15))
        (then
          (loop $literalLength
            (if (i32.ge_u (local.get $s) (local.get $to)) (then (return (i32.const -2))))
            (local.set $more (i32.load8_u (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $lit (i32.add (local.get $lit) (local.get $more)))
            (br_if $literalLength (i32.eq (local.get $more) (i32.const 255))))))
      (if (i32.gt_u (local.get $lit) (i32.sub (local.get $to) (local.get $s))) (then (return (i32.const -3))))
      (if (i32.gt_u (local.get $lit) (i32.sub (local.get $limit) (local.get $d))) (then (return (i32.const -4))))
      (if (i32.le_u (local.get $lit) (i32.const 16))
        (then
          (i64.store (local.get $d) (i64.load (local.get $s)))
          (i64.store offset=8 (local.get $d) (i64.load offset=8 (local.get $s))))
        (else (memory.copy (local.get $d) (local.get $s) (local.get $lit))))
      (local.set $s (i32.add (local.get $s) (local.get $lit)))
      (local.set $d (i32.add (local.get $d) (local.get $lit)))
      ;; The last sequence of a block is literals only.
      (if (i32.eq (local.get $s) (local.get $to)) (then (return (local.get $d))))
      (if (i32.lt_u (i32.sub (local.get $to) (local.get $s)) (i32.const 2)) (then (return (i32.const -5))))
      (local.set $off (i32.load16_u (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 2)))
      ;; Match length: the token's low nibble, continued likewise, plus the minimum match of 4.
      (local.set $len (i32.and (local.get $token) (i32.const 15)))
      (if (i32.eq (local.get $len) (i32.const 15))
        (then
          (loop $matchLength
            (if (i32.ge_u (local.get $s) (local.get $to)) (then (return (i32.const -6))))
            (local.set $more (i32.load8_u (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $len (i32.add (local.get $len) (local.get $more)))
            (br_if $matchLength (i32.eq (local.get $more) (i32.const 255))))))
      (local.set $len (i32.add (local.get $len) (i32.const 4)))
      (if (i32.or (i32.eqz (local.get $off)) (i32.gt_u (local.get $off) (i32.sub (local.get $d) (local.get $at))))
        (then (return (i32.const -7))))
      (if (i32.gt_u (local.get $len) (i32.sub (local.get $limit) (local.get $d))) (then (return (i32.const -4))))
      (local.set $m (i32.sub (local.get $d) (local.get $off)))
      (local.set $end (i32.add (local.get $d) (local.get $len)))
      (if (i32.lt_u (local.get $off) (i32.const 8))
        (then
          ;; A match closer than a word repeats what it is writing: its first 8 bytes one by one.
          ;; The bytes from there on repeat with any multiple of the offset as period, so the rest
          ;; is copied in words from the first multiple of at least 8 (8 to 14 bytes back, all
          ;; within what the match has already written or before it).
          (local.set $bytesEnd
            (select (local.get $end) (i32.add (local.get $d) (i32.const 8)) (i32.lt_u (local.get $len) (i32.const 8))))
          (loop $bytes
            (i32.store8 (local.get $d) (i32.load8_u (local.get $m)))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br_if $bytes (i32.lt_u (local.get $d) (local.get $bytesEnd))))
          (local.set $m
            (i32.sub (local.get $d)
              (i32.mul (local.get $off) (i32.div_u (i32.add (local.get $off) (i32.const 7)) (local.get $off)))))))
      ;; Words: a word read at m ends at or before the word written at d, so it reads only final bytes.
      (block $done
        (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
        (loop $words
          (i64.store (local.get $d) (i64.load (local.get $m)))
          (local.set $d (i32.add (local.get $d) (i32.const 8)))
          (local.set $m (i32.add (local.get $m) (i32.const 8)))
          (br_if $words (i32.lt_u (local.get $d) (local.get $end)))))
      (local.set $d (local.get $end))
      (br $sequence))
    (unreachable)))
