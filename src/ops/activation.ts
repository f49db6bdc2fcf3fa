/** The activations the matmul epilogue and the activation op compute (erf GELU, ReLU, SiLU/swish, tanh). */
export type Activation = 'gelu' | 'relu' | 'swish' | 'tanh';
