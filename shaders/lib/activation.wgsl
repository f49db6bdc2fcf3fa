// The activation functions and their derivatives, prepended to activation.wgsl and activation_backward.wgsl
// (and usable by a fused epilogue). kind: 0 GELU (erf form), 1 ReLU, 2 Swish/SiLU, 3 tanh.
// Twin: src/reference/activation.ts.

// erf in f32 (WGSL has none). Max absolute error 7.6e-8, about one ulp below 1, measured in f32 arithmetic
// against a 30-digit erf on 40k points in [−5, 5]; tests/kernels/activation.test.ts checks it on the GPU.
fn act_erf(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.921875) {
    // erf(x) = x + x·P(x²), P a least-squares fit of erf(x)/x − 1 (relative error 4e-10); adding x last
    // keeps the rounding under one ulp.
    let s = x * x;
    var p = 8.365006215e-05;
    p = p * s - 8.141392027e-04;
    p = p * s + 5.200905260e-03;
    p = p * s - 2.685934119e-02;
    p = p * s + 1.128369421e-01;
    p = p * s - 3.761263490e-01;
    p = p * s + 1.283791661e-01;
    return x + x * p;
  }
  if (a >= 4.0) {
    return sign(x); // erfc(4) ≈ 1.5e-8 is below half an ulp of 1
  }
  // erf(|x|) = 1 − exp(Q(|x|)), Q a least-squares fit of log(erfc) on [0.921875, 4] (absolute error 1.3e-8).
  var q = 1.613101858e-06;
  q = q * a - 4.557118518e-05;
  q = q * a + 5.926017184e-04;
  q = q * a - 4.739417695e-03;
  q = q * a + 2.636238001e-02;
  q = q * a - 1.099740490e-01;
  q = q * a - 6.319416165e-01;
  q = q * a - 1.130164027e+00;
  q = q * a + 3.025418264e-04;
  return sign(x) * (1.0 - exp(q));
}

// 1/(1 + e^−x) without overflowing exp for large |x|.
fn act_sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e, 1.0, x >= 0.0) / (1.0 + e);
}

// tanh(±10) is ±1 in f32; clamping keeps exp-based driver implementations away from inf/inf.
fn act_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -10.0, 10.0));
}

fn act_forward(x: f32, kind: u32) -> f32 {
  switch (kind) {
    case 0u: {
      return 0.5 * x * (1.0 + act_erf(x * 0.7071067811865476));
    }
    case 1u: {
      return max(x, 0.0);
    }
    case 2u: {
      return x * act_sigmoid(x);
    }
    default: {
      return act_tanh(x);
    }
  }
}

// act'(x); ReLU's derivative at 0 is 0, as in PyTorch.
fn act_grad(x: f32, kind: u32) -> f32 {
  switch (kind) {
    case 0u: {
      // Φ(x) + x·φ(x)
      return 0.5 * (1.0 + act_erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
    }
    case 1u: {
      return select(0.0, 1.0, x > 0.0);
    }
    case 2u: {
      let s = act_sigmoid(x);
      return s * (1.0 + x * (1.0 - s));
    }
    default: {
      let t = act_tanh(x);
      return 1.0 - t * t;
    }
  }
}
