package org.einsum4j.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Raw host memory stays inside host storage and the CPU backend: {@code Unsafe} and {@code Memory} only in
 * {@code cpu/}, tensor addresses and BLAS pointers ({@code HostAccess}) only in {@code cpu/} (and in the CUDA
 * backend's host-device copy, {@code cuda.CudaBackend}), JavaCPP only in
 * {@code cpu/} and the tensor package's host storage. Anything else that reached a device tensor's memory from
 * the host would crash the JVM on a GPU; these rules keep such code from being written.
 */
class ArchitectureTest {
    static final String CPU = "org.einsum4j.cpu..";

    static final ArchRule UNSAFE_ONLY_IN_CPU = noClasses().that().resideOutsideOfPackage(CPU)
            .should().dependOnClassesThat().haveFullyQualifiedName("sun.misc.Unsafe")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("jdk.internal.misc.Unsafe")
            .because("raw memory access belongs to the CPU backend");

    static final ArchRule MEMORY_ONLY_IN_CPU = noClasses().that().resideOutsideOfPackage(CPU)
            .should().dependOnClassesThat().haveFullyQualifiedName("org.einsum4j.cpu.Memory")
            .because("Memory reads host memory by address");

    static final ArchRule ADDRESSES_ONLY_IN_CPU = noClasses().that().resideOutsideOfPackage(CPU)
            .and().haveNameNotMatching("org\\.einsum4j\\.tensor\\.HostAccess(\\$.*)?")
            .and().doNotHaveFullyQualifiedName("org.einsum4j.cuda.CudaBackend")
            .should().dependOnClassesThat().haveFullyQualifiedName("org.einsum4j.tensor.HostAccess")
            .because("tensor addresses and BLAS pointers are for the CPU backend's kernels only (and the CUDA "
                    + "backend's host-device copies)");

    static final ArchRule HOST_STORAGE_INSIDE_TENSOR = noClasses().that()
            .resideOutsideOfPackage("org.einsum4j.tensor")
            .should().dependOnClassesThat().haveFullyQualifiedName("org.einsum4j.tensor.HostStorage")
            .because("host storage is reached only through Tensor and HostAccess");

    static final ArchRule JAVACPP_ONLY_IN_HOST_STORAGE_AND_CPU = noClasses().that().resideOutsideOfPackage(CPU)
            .and().haveNameNotMatching("org\\.einsum4j\\.tensor\\.(HostStorage|HostAllocator|HostAccess)(\\$.*)?")
            .and().resideOutsideOfPackage("org.einsum4j.cuda..")
            .should().dependOnClassesThat().resideInAPackage("org.bytedeco.javacpp..")
            .because("native pointers to tensor memory exist only in host storage and the CPU backend (a CUDA "
                    + "backend has its own device pointers)");

    static final ArchRule CPU_BACKEND_FOUND_NOT_NAMED = noClasses().that().resideOutsideOfPackage(CPU)
            .should().dependOnClassesThat().resideInAPackage(CPU)
            .because("backends are found by device type through ServiceLoader, so the interface never names an "
                    + "implementation");

    static final List<ArchRule> RULES = List.of(UNSAFE_ONLY_IN_CPU, MEMORY_ONLY_IN_CPU, ADDRESSES_ONLY_IN_CPU,
            HOST_STORAGE_INSIDE_TENSOR, JAVACPP_ONLY_IN_HOST_STORAGE_AND_CPU, CPU_BACKEND_FOUND_NOT_NAMED);

    @Test
    void mainCodeKeepsRawMemoryInsideHostStorageAndTheCpuBackend() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.einsum4j");
        assertTrue(main.size() > 50, "imported " + main.size() + " classes");
        for (ArchRule rule : RULES) {
            rule.check(main);
        }
    }

    @Test
    void theRulesCatchCodeThatReadsTensorMemoryFromOutsideTheCpuBackend() {
        JavaClasses bad = new ClassFileImporter().importClasses(SneakyHostReader.class);
        EvaluationResult addresses = ADDRESSES_ONLY_IN_CPU.evaluate(bad);
        assertTrue(addresses.hasViolation(), "HostAccess outside cpu/ must be reported");
        assertTrue(addresses.getFailureReport().toString().contains("SneakyHostReader"),
                addresses.getFailureReport().toString());
        assertTrue(JAVACPP_ONLY_IN_HOST_STORAGE_AND_CPU.evaluate(bad).hasViolation(),
                "a JavaCPP pointer outside host storage and cpu/ must be reported");
        assertTrue(UNSAFE_ONLY_IN_CPU.evaluate(bad).hasViolation(), "Unsafe outside cpu/ must be reported");
    }
}
