"""Reference outputs of Debian's python3-torchvision for Mien's backbone parity tests (BackboneParityTests.cs).

usage: /usr/bin/python3 torchvision_reference.py ARCH SIZE OUT_DIR

Builds torchvision's ARCH with random weights, gives its batch norms realistic statistics (one pass over random
images in training mode, as if it had been trained), and writes to OUT_DIR:
  weights.pth          model.state_dict() as torch.save writes it, with torchvision's own 1000-class classifier
                       (VGG: with the 7-class head below, to keep the file small)
  weights.safetensors  the same tensors in the safetensors format, written by hand (no safetensors package needed)
  expected.pt          {"input": N x 1 x S x S grey batch, "features": pooled features, "logits": 7-class logits,
                        "features64", "logits64": the same in float64, "head_weight", "head_bias"}: torchvision's own
                        forward, in eval mode, on the grey batch repeated into three channels, with its classifier
                        replaced by dropout + Linear(features, 7), the head Mien's backbone presets have.
"""
import json, struct, sys
import torch, torchvision
from torch import nn

arch, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
torch.manual_seed(1234)
kwargs = {"init_weights": True} if arch == "inception_v3" else {}
m = getattr(torchvision.models, arch)(weights=None, **kwargs)

for bn in m.modules():
    if isinstance(bn, nn.BatchNorm2d):
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.normal_(0, 0.1)
        bn.reset_running_stats()
        bn.momentum = None  # running statistics = the average over the calibration pass
aux = getattr(m, "AuxLogits", None)
if aux is not None:  # its 5x5 stride-3 pooling needs inputs near 299 px; eval mode never runs it
    m.AuxLogits, m.aux_logits = None, False
def grey_batch(n):  # about what Mien feeds: grey faces normalised to mean 0, std 1
    return (torch.rand(n, 1, size, size) - 0.5) / 0.29


m.train()
with torch.no_grad():
    m(grey_batch(8).expand(-1, 3, -1, -1))
if aux is not None:
    m.AuxLogits, m.aux_logits = aux, True
m.eval()


def new_head(features):
    return nn.Sequential(nn.Dropout(0.5), nn.Linear(features, 7))


if arch.startswith("vgg"):
    m.avgpool = nn.AdaptiveAvgPool2d(1)
    m.classifier = new_head(512)
state = m.state_dict()
if arch.startswith("resnet") or arch == "inception_v3":
    m.fc = nn.Linear(m.fc.in_features, 7)
    head = m.fc
elif arch == "mobilenet_v2":
    m.classifier = new_head(m.classifier[1].in_features)
    head = m.classifier[1]
elif arch.startswith("mobilenet_v3"):
    m.classifier = new_head(m.classifier[0].in_features)
    head = m.classifier[1]
else:
    head = m.classifier[1]
m.eval()

captured = {}
head.register_forward_pre_hook(lambda module, inputs: captured.__setitem__("features", inputs[0].detach().clone()))
grey = grey_batch(2)
expected = {"input": grey, "head_weight": head.weight.detach().clone(), "head_bias": head.bias.detach().clone()}
with torch.no_grad():
    expected["logits"] = m(grey.expand(-1, 3, -1, -1))
    expected["features"] = captured["features"]
torch.save(state, f"{out}/weights.pth")
# The same weights computed in float64: float32 rounding, which a deep random network amplifies, then cannot hide a mismatch.
m.double()
with torch.no_grad():
    expected["logits64"] = m(grey.double().expand(-1, 3, -1, -1))
    expected["features64"] = captured["features"]
torch.save(expected, f"{out}/expected.pt")

header, blobs, offset = {}, [], 0
for name, t in state.items():
    data = t.detach().contiguous().numpy().tobytes()
    header[name] = {"dtype": {torch.float32: "F32", torch.int64: "I64"}[t.dtype], "shape": list(t.shape),
                    "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(f"{out}/weights.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for data in blobs:
        f.write(data)
