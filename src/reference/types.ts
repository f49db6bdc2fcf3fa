/**
 * The CPU references run on either precision: Float32Array to compare with the GPU, Float64Array for the
 * finite-difference checks (where f32 rounding would swamp the difference quotient).
 */
export type Vec = Float32Array | Float64Array;
