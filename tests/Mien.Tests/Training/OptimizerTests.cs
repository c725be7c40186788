using Mien.Models;
using Mien.Training;
using TorchSharp.Modules;

namespace Mien.Tests.Training;

/// <summary>What the command line asks of the optimizer is what every parameter group gets.</summary>
public class OptimizerTests
{
    [Theory]
    [InlineData("sgd", 1.0)]
    [InlineData("sgd", 0.1)]
    [InlineData("adam", 0.1)]
    [InlineData("adamw", 1.0)]
    [InlineData("adamw", 0.1)]
    [InlineData("rmsprop", 0.1)]
    [Trait("Tier", "Fast")]
    public void Every_parameter_group_gets_the_weight_decay_and_momentum_asked_for(string optimizer, double bodyLrFactor)
    {
        // TorchSharp's ParamGroup(params, lr) sets weight decay and momentum to 0 in each group, silently overriding these.
        var options = new TrainingOptions { Optimizer = optimizer, WeightDecay = 0.0123, Momentum = 0.77, LearningRate = 0.01, BodyLearningRateFactor = bodyLrFactor };
        using var net = ModelBuilder.Build(ModelZoo.GetSpec("seed"), 7, out _);
        var opt = Trainer.CreateOptimizer(net, options);
        var groups = opt.ParamGroups.ToList();
        Assert.Equal(bodyLrFactor == 1 ? 1 : 3, groups.Count);
        foreach (var g in groups)
        {
            var groupOptions = Assert.IsAssignableFrom<ParamGroup>(g).Options;
            switch (groupOptions)
            {
                case SGD.Options s:
                    Assert.Equal(0.0123, s.weight_decay);
                    Assert.Equal(0.77, s.momentum);
                    Assert.True(s.nesterov);
                    break;
                case Adam.Options a: Assert.Equal(0.0123, a.weight_decay); Assert.Equal(0.999, a.beta2); break;
                case AdamW.Options w: Assert.Equal(0.0123, w.weight_decay); Assert.Equal(0.999, w.beta2); break;
                case RMSProp.Options r:
                    Assert.Equal(0.0123, r.weight_decay);
                    Assert.Equal(0.77, r.momentum);
                    break;
                default: Assert.Fail($"unexpected options type {groupOptions.GetType().Name}"); break;
            }
        }
    }
}
