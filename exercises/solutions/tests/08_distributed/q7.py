from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 3

@test_case(points=None, hidden=False)
def test_simulate_and_compression(simulate, compression, loss_gap, worker_grad, loss, X):
    import numpy as np
    from course_lib.checks import allclose, call, close, equal, fail
    if worker_grad is None or X is None:
        fail('run the set-up cell at the top of the notebook first')

    def reference(tau, steps=200, lr=0.05, workers=4):
        w, res, total = (np.zeros(X.shape[1]), [np.zeros(X.shape[1]) for _ in range(workers)], 0)
        for _ in range(steps):
            sent_all = []
            for k in range(workers):
                a = res[k] + worker_grad(w, k)
                sent = np.where(np.abs(a) >= tau, a, 0.0)
                res[k] = a - sent
                total += min(8 * np.count_nonzero(sent), 4 * sent.size)
                sent_all.append(sent)
            w = w - lr * np.mean(sent_all, axis=0)
        return (w, total)
    w_ref, bytes_ref = reference(0.5, steps=20)
    out = call('simulate', simulate, worker_grad, np.zeros(X.shape[1]), 0.05, 20, 4, 0.5)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'simulate should return a tuple (w, total_bytes), got {out!r}')
    allclose('w after simulate(worker_grad, zeros, lr=0.05, steps=20, workers=4, tau=0.5)', out[0], w_ref)
    equal('total_bytes of the same call', int(out[1]), bytes_ref)
    (w_d, b_d), (w_s, b_s) = (reference(0.0), reference(0.5))
    close('compression', compression, b_d / b_s, rtol=1e-09)
    close('loss_gap', loss_gap, loss(w_s) - loss(w_d), rtol=1e-06, atol=1e-12)

@test_case(points=None, hidden=True)
def test_simulate_random_problem(simulate):
    import numpy as np
    from course_lib.checks import allclose, call, equal
    rng = np.random.default_rng(29)
    A, b = (rng.normal(size=(3, 20, 6)), rng.normal(size=(3, 20)))
    grad_fn = lambda w, k: A[k].T @ (A[k] @ w - b[k]) / 20
    w, res, total = (np.ones(6), [np.zeros(6) for _ in range(3)], 0)
    for _ in range(30):
        sent_all = []
        for k in range(3):
            a = res[k] + grad_fn(w, k)
            sent = np.where(np.abs(a) >= 0.2, a, 0.0)
            res[k] = a - sent
            total += min(8 * np.count_nonzero(sent), 4 * sent.size)
            sent_all.append(sent)
        w = w - 0.1 * np.mean(sent_all, axis=0)
    got_w, got_bytes = call('simulate', simulate, grad_fn, np.ones(6), 0.1, 30, 3, 0.2)
    allclose('w of simulate on a random 3-worker problem', got_w, w)
    equal('total_bytes of simulate on a random 3-worker problem', int(got_bytes), total)

