/**
 * What ops are built from, none of it an op: thin allocation-free wrappers over ND4J's native
 * element-wise kernels ({@code Kernels}), direct BLAS gemm ({@code Gemm}), the helper thread that
 * runs halves of big work on the second core ({@code Parallel}), the activations with their
 * derivatives ({@code Activation}), special functions, noise transforms, floored logarithms, a
 * stable softplus, and the small input checks and 1 x 1 parameter access that several ops share.
 */
package vaec.runtime.kernels;
