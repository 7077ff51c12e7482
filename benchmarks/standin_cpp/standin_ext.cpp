// A prototype, for measurement only (benchmarks/bench_standin_cpp.py): the stand-in GPU as a
// PrivateUse1 backend in C++. Memory on the host; torch's own view kernels; every other operator
// computed by the CPU kernel on CPU tensors over the device memory (zero-copy). Not used by d2lcoach:
// no autograd hooks (a backward pass fails), no install, no proof. See benchmarks/README.md.
#include <torch/extension.h>
#include <torch/library.h>
#include <c10/core/Allocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <ATen/EmptyTensor.h>
#include <ATen/native/CPUFallback.h>
#include <ATen/native/Resize.h>
#include <ATen/ops/view_native.h>
#include <ATen/ops/unfold_native.h>
#include <ATen/ops/_reshape_alias_native.h>
#include <ATen/ops/as_strided_native.h>
#include <ATen/ops/set_native.h>
#include <ATen/ops/resize_native.h>

namespace {

struct HostAllocator final : at::Allocator {
  at::DataPtr allocate(size_t nbytes) override {
    void* data = nbytes ? c10::alloc_cpu(nbytes) : nullptr;
    return {data, data, &c10::free_cpu, at::Device(at::DeviceType::PrivateUse1, 0)};
  }
  at::DeleterFnPtr raw_deleter() const override { return &c10::free_cpu; }
  void copy_data(void* dest, const void* src, std::size_t count) const final { default_copy_data(dest, src, count); }
};
HostAllocator host_allocator;

constexpr c10::DispatchKeySet kKeys(c10::DispatchKey::PrivateUse1);

at::Tensor empty_memory_format(c10::IntArrayRef size, std::optional<at::ScalarType> dtype,
                               std::optional<at::Layout>, std::optional<at::Device>, std::optional<bool>,
                               std::optional<at::MemoryFormat> memory_format) {
  return at::detail::empty_generic(size, &host_allocator, kKeys, c10::dtype_or_default(dtype), memory_format);
}

at::Tensor empty_strided(c10::IntArrayRef size, c10::IntArrayRef stride, std::optional<at::ScalarType> dtype,
                         std::optional<at::Layout>, std::optional<at::Device>, std::optional<bool>) {
  return at::detail::empty_strided_generic(size, stride, &host_allocator, kKeys, c10::dtype_or_default(dtype));
}

// A CPU tensor over the same memory (no copy).
at::Tensor on_host(const at::Tensor& t) {
  if (t.is_cpu()) return t;
  return at::from_blob(t.data_ptr(), t.sizes(), t.strides(), t.options().device(at::kCPU));
}

at::Tensor copy_from(const at::Tensor& self, const at::Tensor& dst, bool) {
  on_host(dst).copy_(on_host(self));
  return dst;
}

at::Tensor copy_from_and_resize(const at::Tensor& self, const at::Tensor& dst) {
  at::native::resize_(dst, self.sizes(), std::nullopt);
  on_host(dst).copy_(on_host(self));
  return dst;
}

at::Scalar local_scalar_dense(const at::Tensor& self) { return at::_local_scalar_dense(on_host(self)); }

const at::Tensor& resize_(const at::Tensor& self, c10::IntArrayRef size, std::optional<at::MemoryFormat> mf) {
  return at::native::resize_(self, size, mf);
}

at::Tensor& set_source_storage(at::Tensor& self, at::Storage source) { return at::native::set_(self, source); }

at::Tensor& set_source_storage_offset(at::Tensor& self, at::Storage source, int64_t offset, c10::IntArrayRef size,
                                      c10::IntArrayRef stride) {
  return at::native::set_storage_cpu_(self, source, offset, size, stride);
}

bool mixing_allowed(const c10::OperatorName& name) {
  static const std::unordered_set<std::string> allowed = {"aten::copy_", "aten::_to_copy", "aten::index",
                                                           "aten::index_put_", "aten::index_put",
                                                           "aten::_index_put_impl_", "aten::lift_fresh"};
  return allowed.count(name.name) > 0;
}

void check_devices(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  const auto& schema = op.schema();
  auto arguments = torch::jit::last(stack, schema.arguments().size());
  bool ours = false, cpu = false;
  auto look = [&](const at::Tensor& t) {
    if (!t.defined()) return;
    if (t.device().is_privateuseone()) ours = true;
    else if (t.is_cpu() && t.dim() > 0) cpu = true;
  };
  for (const auto& value : arguments) {
    if (value.isTensor()) look(value.toTensor());
    else if (value.isTensorList()) for (const auto& t : value.toTensorVector()) look(t);
    else if (value.isOptionalTensorList()) {
      auto list = value.toOptionalTensorList();
      for (size_t i = 0; i < list.size(); ++i) { std::optional<at::Tensor> t = list.get(i); if (t.has_value()) look(*t); }
    }
  }
  if (ours && cpu && !mixing_allowed(schema.operator_name())) {
    TORCH_CHECK(false, "Expected all tensors to be on the same device, but found at least two devices, npu:0 and cpu! "
                "(when checking argument in ", schema.operator_name().name, ")");
  }
}

at::Tensor to_device(const at::Tensor& cpu) {
  if (!cpu.defined() || !cpu.is_cpu()) return cpu;
  at::Tensor out = at::detail::empty_strided_generic(cpu.sizes(), cpu.strides(), &host_allocator, kKeys, cpu.scalar_type());
  if (cpu.is_non_overlapping_and_dense() && out.strides() == cpu.strides()) {
    std::memcpy(out.data_ptr(), cpu.data_ptr(), cpu.numel() * cpu.element_size());
  } else {
    on_host(out).copy_(cpu);
  }
  return out;
}

// Zero-copy: the CPU kernel runs on CPU tensors over the device tensors' memory; fresh results are
// copied onto the device; a result that is an argument written into comes back as that argument.
void zero_copy(const c10::OperatorHandle& op, torch::jit::Stack* stack);

void fallback(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  check_devices(op, stack);
#ifdef STANDIN_COPY_FALLBACK  // ATen's own fallback: every argument copied to the CPU, every result back
  at::native::cpu_fallback(op, stack, true);
  return;
#endif
  const auto& schema = op.schema();
  torch::jit::Stack saved(stack->end() - schema.arguments().size(), stack->end());
  try {
    zero_copy(op, stack);
  } catch (const c10::Error& e) {  // an out= argument the CPU kernel had to resize: copy through
    if (std::string(e.what()).find("not resizable") == std::string::npos) throw;
    stack->resize(stack->size() - schema.returns().size());
    stack->insert(stack->end(), saved.begin(), saved.end());
    at::native::cpu_fallback(op, stack, true);
  }
}

void zero_copy(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  const auto& schema = op.schema();
  const auto n = schema.arguments().size();
  const auto begin = stack->size() - n;
  std::vector<std::pair<at::Tensor, at::Tensor>> replaced;  // (host alias, device original)
  auto host_of = [&](const at::Tensor& t) -> at::Tensor {
    if (!t.defined() || !t.device().is_privateuseone()) return t;
    auto h = on_host(t);
    replaced.emplace_back(h, t);
    return h;
  };
  for (size_t i = 0; i < n; ++i) {
    auto& v = (*stack)[begin + i];
    if (v.isTensor()) {
      v = c10::IValue(host_of(v.toTensor()));
    } else if (v.isTensorList()) {
      auto list = v.toTensorVector();
      for (auto& t : list) t = host_of(t);
      v = c10::IValue(list);
    } else if (v.isOptionalTensorList()) {
      auto list = v.toOptionalTensorList();
      c10::List<std::optional<at::Tensor>> out;
      for (size_t k = 0; k < list.size(); ++k) {
        std::optional<at::Tensor> t = list.get(k);
        out.push_back(t.has_value() ? std::optional<at::Tensor>(host_of(*t)) : std::nullopt);
      }
      v = c10::IValue(out);
    }
  }
  op.callBoxed(stack);
  const auto r = schema.returns().size();
  const auto rbegin = stack->size() - r;
  auto back = [&](const at::Tensor& t, bool written) -> at::Tensor {
    if (written) {
      for (auto& [h, original] : replaced) {
        if (h.unsafeGetTensorImpl() == t.unsafeGetTensorImpl()) return original;
      }
    }
    return to_device(t);
  };
  for (size_t i = 0; i < r; ++i) {
    auto& v = (*stack)[rbegin + i];
    const auto* alias = schema.returns()[i].alias_info();
    bool written = alias != nullptr && alias->isWrite();
    if (v.isTensor()) {
      v = c10::IValue(back(v.toTensor(), written));
    } else if (v.isTensorList()) {
      auto list = v.toTensorVector();
      for (auto& t : list) t = back(t, written);
      v = c10::IValue(list);
    }
  }
}

}  // namespace

TORCH_LIBRARY_IMPL(aten, PrivateUse1, m) {
  m.impl("empty.memory_format", empty_memory_format);
  m.impl("empty_strided", empty_strided);
  m.impl("_copy_from", copy_from);
  m.impl("_copy_from_and_resize", copy_from_and_resize);
  m.impl("_local_scalar_dense", local_scalar_dense);
  m.impl("resize_", resize_);
  m.impl("set_.source_Storage", set_source_storage);
  m.impl("set_.source_Storage_storage_offset", set_source_storage_offset);
  m.impl("as_strided", at::native::as_strided_tensorimpl);
  m.impl("view", at::native::view);
  m.impl("_reshape_alias", at::native::_reshape_alias);
  m.impl("unfold", at::native::unfold);
}

TORCH_LIBRARY_IMPL(_, PrivateUse1, m) {
  m.fallback(torch::CppFunction::makeFromBoxedFunction<&fallback>());
}

C10_REGISTER_GUARD_IMPL(PrivateUse1, c10::impl::NoOpDeviceGuardImpl<c10::DeviceType::PrivateUse1>);

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {}
