package rlif.evaluator.validity;

/** Solves {@code A x = b} for a symmetric positive definite {@code A} by its Cholesky factor {@code A = L L'}. */
final class Cholesky {
    private Cholesky() {}

    /** {@code a} is overwritten with {@code L} (lower triangle); throws if {@code a} is not positive definite. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        for (int j = 0; j < n; j++) {
            double d = a[j][j];
            for (int k = 0; k < j; k++) {
                d -= a[j][k] * a[j][k];
            }
            if (!(d > 0)) {
                throw new ArithmeticException("matrix is not positive definite at column " + j);
            }
            a[j][j] = Math.sqrt(d);
            for (int i = j + 1; i < n; i++) {
                double s = a[i][j];
                double[] ai = a[i];
                double[] aj = a[j];
                for (int k = 0; k < j; k++) {
                    s -= ai[k] * aj[k];
                }
                ai[j] = s / a[j][j];
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= a[i][k] * y[k];
            }
            y[i] = s / a[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= a[k][i] * x[k];
            }
            x[i] = s / a[i][i];
        }
        return x;
    }
}
