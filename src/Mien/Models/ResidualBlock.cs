using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>y = main(x) + shortcut(x): the residual unit that mini-Xception and ResNets are made of.</summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> main;
    private readonly nn.Module<Tensor, Tensor> shortcut;

    public ResidualBlock(string name, nn.Module<Tensor, Tensor> main, nn.Module<Tensor, Tensor> shortcut) : base(name)
    {
        this.main = main;
        this.shortcut = shortcut;
        RegisterComponents();
    }

    internal nn.Module<Tensor, Tensor> Main => main;
    internal nn.Module<Tensor, Tensor> Shortcut => shortcut;

    public override Tensor forward(Tensor x) => main.forward(x) + shortcut.forward(x);
}
