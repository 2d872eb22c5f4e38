package org.einsum4j;

/**
 * Options of a contraction: the path optimizer (a name as opt_einsum has them, e.g. {@code auto},
 * {@code greedy}, {@code optimal}), the memory limit in elements ({@code -1} none), and the backend.
 */
public record ContractOptions(String optimize, long memoryLimit, String backend) {
    public static final long NO_LIMIT = -1;

    public static ContractOptions defaults() {
        return new ContractOptions("auto", NO_LIMIT, "cpu");
    }

    public ContractOptions withOptimize(String name) {
        return new ContractOptions(name, memoryLimit, backend);
    }

    public ContractOptions withMemoryLimit(long limit) {
        return new ContractOptions(optimize, limit, backend);
    }

    public ContractOptions withBackend(String name) {
        return new ContractOptions(optimize, memoryLimit, name);
    }
}
