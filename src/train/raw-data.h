// A CPU tensor's elements as the plain type a libtorch-free kernel takes (float, or uint16_t
// for bf16 bits), for the fused ops' autograd functions.
#pragma once
#include <torch/torch.h>

namespace gemba::train {

template <class T>
T* raw(const torch::Tensor& t) {
  return reinterpret_cast<T*>(t.data_ptr());
}

}  // namespace gemba::train
