namespace Autoencoders.ML.Training;

/// <summary>The gradient-descent method used by the trainer.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma &amp; Ba) with L2 weight decay added to the gradient, as in PyTorch's <c>Adam</c>.</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter), as in PyTorch's <c>AdamW</c>.</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with momentum (<see cref="TrainingOptions.Momentum"/>).</summary>
    Sgd,
}
