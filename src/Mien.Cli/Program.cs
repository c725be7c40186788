using TorchSharp;
var t = torch.ones(2, 3);
Console.WriteLine(t.sum().item<float>());
Console.WriteLine(torch.get_num_threads());
using var m = new OpenCvSharp.Mat(10, 10, OpenCvSharp.MatType.CV_8UC1);
Console.WriteLine(m.Width);
