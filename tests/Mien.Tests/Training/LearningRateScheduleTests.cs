using Mien.Training;

namespace Mien.Tests.Training;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_rises_linearly_then_cosine_falls_to_the_minimum()
    {
        var s = new LearningRateSchedule(new TrainingOptions { Epochs = 11, LearningRate = 1e-2, MinLearningRate = 1e-4, WarmupEpochs = 1, Schedule = "cosine" });
        Assert.Equal(5e-3, s.At(0.5), 10);
        Assert.Equal(1e-2, s.At(1), 10);
        Assert.Equal((1e-2 + 1e-4) / 2, s.At(6), 10); // half-way through the cosine part
        Assert.Equal(1e-4, s.At(11), 10);
        Assert.True(s.At(3) > s.At(4));
    }

    [Fact]
    public void Step_divides_every_step_epochs()
    {
        var s = new LearningRateSchedule(new TrainingOptions { LearningRate = 1, WarmupEpochs = 0, Schedule = "step", StepEpochs = 10, StepGamma = 0.1 });
        Assert.Equal(1, s.At(9.9), 10);
        Assert.Equal(0.1, s.At(10), 10);
        Assert.Equal(0.01, s.At(25), 10);
    }

    [Fact]
    public void Plateau_cuts_the_rate_after_patience_epochs_without_a_lower_loss_and_its_state_restores()
    {
        var o = new TrainingOptions { LearningRate = 1, WarmupEpochs = 0, Schedule = "plateau", PlateauPatience = 2, StepGamma = 0.5, MinLearningRate = 1e-6 };
        var s = new LearningRateSchedule(o);
        s.Observe(1.0); s.Observe(1.0);
        Assert.Equal(1, s.At(3), 10);
        s.Observe(1.0);
        Assert.Equal(0.5, s.At(4), 10);
        var copy = new LearningRateSchedule(o);
        copy.Restore(s.State);
        Assert.Equal(s.At(5), copy.At(5), 10);
    }

    [Fact]
    public void None_is_constant_after_warmup()
    {
        var s = new LearningRateSchedule(new TrainingOptions { LearningRate = 3e-3, WarmupEpochs = 2, Schedule = "none" });
        Assert.True(s.At(0.5) < 3e-3);
        Assert.Equal(3e-3, s.At(2), 10);
        Assert.Equal(3e-3, s.At(100), 10);
    }
}
