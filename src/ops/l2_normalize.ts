/** torch.nn.functional.normalize's default eps. */
export const L2_NORMALIZE_EPS = 1e-12;
