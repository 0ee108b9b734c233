/**
 * Logarithm, exponential and power built from `+ − × ÷` and `sqrt` alone.
 *
 * The ECMAScript standard lets `Math.log`, `Math.exp` and `Math.pow` differ in the last
 * bit between engines and versions, and they do: Node and Chromium have been seen to
 * disagree by one unit in the last place on the same input. That is harmless for most
 * programs but breaks "same seed, same trace, byte for byte" as soon as a sampled latency
 * is printed. Basic arithmetic and `Math.sqrt` are exactly specified (IEEE 754, correctly
 * rounded), so functions built only from them give identical bits everywhere. They are
 * accurate to a few units in the last place, which is far more than a simulation needs.
 */

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
const SQRT2 = 1.4142135623730951;

// One 8-byte scratch buffer to read and write the bits of a double. DataView makes the
// byte order explicit, so this does not depend on the platform's endianness.
const scratch = new DataView(new ArrayBuffer(8));

/** 2^k for an integer k in [-1022, 1023], exactly. */
function powerOfTwo(k: number): number {
  scratch.setUint32(0, (k + 1023) << 20);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
}

/**
 * Natural logarithm, identical on every engine.
 * @example log(Math.E) // ≈ 1
 */
export function log(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : Number.NaN;
  if (x === Infinity) return Infinity;
  let exponentOffset = 0;
  if (x < 2.2250738585072014e-308) {
    // Scale subnormals into the normal range first (exact: a power of two).
    x *= 18014398509481984; // 2^54
    exponentOffset = -54;
  }
  scratch.setFloat64(0, x);
  const high = scratch.getUint32(0);
  let exponent = ((high >>> 20) & 0x7ff) - 1023 + exponentOffset;
  // Replace the exponent with 0 to get the mantissa m in [1, 2).
  scratch.setUint32(0, (high & 0x000fffff) | 0x3ff00000);
  let m = scratch.getFloat64(0);
  if (m > SQRT2) {
    m /= 2;
    exponent++;
  }
  // log(m) = 2 artanh(f) with f = (m − 1)/(m + 1), |f| <= 0.1716: a fast-converging series.
  const f = (m - 1) / (m + 1);
  const s = f * f;
  const series =
    1 +
    s *
      (1 / 3 +
        s *
          (1 / 5 +
            s *
              (1 / 7 +
                s *
                  (1 / 9 +
                    s *
                      (1 / 11 +
                        s * (1 / 13 + s * (1 / 15 + s * (1 / 17 + s * (1 / 19 + s * (1 / 21 + s * (1 / 23)))))))))));
  return exponent * LN2_HI + (exponent * LN2_LO + 2 * f * series);
}

/**
 * e^x, identical on every engine.
 * @example exp(1) // ≈ 2.718281828459045
 */
export function exp(x: number): number {
  if (x !== x) return Number.NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  // x = k ln 2 + r with |r| <= ln 2 / 2; e^x = 2^k e^r.
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  // Taylor series of e^r to the 15th power: the remainder is below 1e-17 for |r| <= 0.35.
  let term = 1;
  let sum = 1;
  for (let n = 1; n <= 15; n++) {
    term = (term * r) / n;
    sum += term;
  }
  if (k > 1023) return sum * powerOfTwo(1023) * powerOfTwo(k - 1023);
  if (k < -1022) return sum * powerOfTwo(k + 1022) * powerOfTwo(-1022);
  return sum * powerOfTwo(k);
}

/**
 * `base` raised to `exponent` for `base > 0`, identical on every engine.
 * @example pow(2, 10) // ≈ 1024
 */
export function pow(base: number, exponent: number): number {
  if (exponent === 0) return 1;
  if (base === 1) return 1;
  return exp(exponent * log(base));
}
