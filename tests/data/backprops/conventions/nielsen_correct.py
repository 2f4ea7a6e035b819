"""Correct backprop, Nielsen style.

Convention: Michael Nielsen's "Neural Networks and Deep Learning" (network.py, chapter 1-2):
a ``Network(sizes)`` class holding ``self.weights`` (list of (n_out, n_in) arrays) and
``self.biases`` (list of (n, 1) column vectors); ``backprop(self, x, y)`` takes ONE sample as
column vectors x (n_in, 1), y (n_out, 1) and returns ``(nabla_b, nabla_w)`` lists.
Sigmoid everywhere, quadratic cost C = 1/2 ||a - y||^2 (the tool's ``half-mse``).
Written from scratch for this corpus; not copied.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


class Network:
    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.num_layers = len(sizes)
        rng = np.random.default_rng(1)
        self.biases = [rng.standard_normal((n, 1)) for n in sizes[1:]]
        self.weights = [rng.standard_normal((m, n)) for n, m in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def cost_derivative(self, output_activations, y):
        return output_activations - y

    def backprop(self, x, y):
        grads_b = [None] * len(self.biases)
        grads_w = [None] * len(self.weights)
        acts, pre = [x], []
        for b, w in zip(self.biases, self.weights):
            pre.append(w @ acts[-1] + b)
            acts.append(sigmoid(pre[-1]))
        delta = self.cost_derivative(acts[-1], y) * sigmoid_prime(pre[-1])
        grads_b[-1] = delta
        grads_w[-1] = delta @ acts[-2].T
        for k in range(2, self.num_layers):
            delta = (self.weights[-k + 1].T @ delta) * sigmoid_prime(pre[-k])
            grads_b[-k] = delta
            grads_w[-k] = delta @ acts[-k - 1].T
        return (grads_b, grads_w)
