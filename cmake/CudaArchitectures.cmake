# Which GPUs the kernels are compiled for.
#
# EINSUM4J_CUDA_SASS_ARCHS: real architectures that get machine code (SASS): 80 (A100), 90 (H100/H200).
# EINSUM4J_CUDA_PTX_ARCH:   virtual architecture whose PTX is embedded too, so newer GPUs can JIT-compile it.
# Both are cache variables: override with -DEINSUM4J_CUDA_SASS_ARCHS="80;86;90" and the like.
#
# Result: EINSUM4J_CUDA_GENCODE_FLAGS, the list of -gencode options for nvcc.

include_guard(GLOBAL)

set(EINSUM4J_CUDA_SASS_ARCHS "80;90" CACHE STRING "CUDA real architectures to build SASS for (e.g. 80;90)")
set(EINSUM4J_CUDA_PTX_ARCH "90" CACHE STRING "CUDA virtual architecture to embed as PTX (e.g. 90)")

set(EINSUM4J_CUDA_GENCODE_FLAGS "")
foreach(arch IN LISTS EINSUM4J_CUDA_SASS_ARCHS)
  if(NOT arch MATCHES "^[0-9]+[a-z]?$")
    message(FATAL_ERROR "EINSUM4J_CUDA_SASS_ARCHS: '${arch}' is not an architecture number such as 80 or 90")
  endif()
  list(APPEND EINSUM4J_CUDA_GENCODE_FLAGS "-gencode=arch=compute_${arch},code=sm_${arch}")
endforeach()
if(EINSUM4J_CUDA_PTX_ARCH)
  list(APPEND EINSUM4J_CUDA_GENCODE_FLAGS
       "-gencode=arch=compute_${EINSUM4J_CUDA_PTX_ARCH},code=compute_${EINSUM4J_CUDA_PTX_ARCH}")
endif()
message(STATUS "einsum4j: CUDA SASS for sm_{${EINSUM4J_CUDA_SASS_ARCHS}}, PTX for compute_${EINSUM4J_CUDA_PTX_ARCH}")
