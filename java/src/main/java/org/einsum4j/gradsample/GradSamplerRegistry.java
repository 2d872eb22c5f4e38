package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps layer kinds (the class of a {@link Layer} description) to their {@link LayerSampler}. The
 * {@link #global() global} registry holds the built-in samplers and takes user samplers for {@link CustomLayer}s
 * (or replacements for built-ins). Thread-safe: lookups and registrations may race freely; a lookup sees either
 * the old or the new sampler.
 */
public final class GradSamplerRegistry {
    private final Map<Class<?>, LayerSampler<?>> samplers = new ConcurrentHashMap<>();

    private GradSamplerRegistry() {
    }

    /** The process-wide registry that {@link GradSampler#compute} uses. */
    public static GradSamplerRegistry global() {
        return GLOBAL;
    }

    /** One built-in layer kind: its record class and its sampler, which also describes it to tools. */
    private record Builtin<L extends Layer, S extends LayerSampler<L> & LayerKind>(Class<L> layer, S sampler) {
        void registerIn(GradSamplerRegistry r) {
            r.register(layer, sampler);
        }
    }

    /**
     * The built-in layers: adding a layer kind is one line here plus one file holding its record and its sampler
     * (see {@link LinearLayer}).
     */
    private static final List<Builtin<?, ?>> BUILTINS = List.of(
            new Builtin<>(LinearLayer.class, new LinearSampler()),
            new Builtin<>(ConvLayer.class, new ConvSampler()),
            new Builtin<>(EmbeddingLayer.class, new EmbeddingSampler()),
            new Builtin<>(LayerNormLayer.class, new LayerNormSampler()),
            new Builtin<>(GroupNormLayer.class, new GroupNormSampler()),
            new Builtin<>(InstanceNormLayer.class, new InstanceNormSampler()),
            new Builtin<>(RnnLayer.class, new RnnSampler()),
            new Builtin<>(SequenceBiasLayer.class, new SequenceBiasSampler()));

    /** Declared after {@link #BUILTINS}, which it reads while the class initializes. */
    private static final GradSamplerRegistry GLOBAL = withBuiltins();

    /** A new registry holding only the built-in samplers (for callers who want their own, isolated set). */
    public static GradSamplerRegistry withBuiltins() {
        GradSamplerRegistry r = new GradSamplerRegistry();
        BUILTINS.forEach(b -> b.registerIn(r));
        return r;
    }

    /** The built-in layer kinds as tools describe them (names, hyperparameters, input shapes), in help order. */
    public static List<LayerKind> builtinKinds() {
        return BUILTINS.stream().<LayerKind>map(Builtin::sampler).toList();
    }

    /**
     * Registers {@code sampler} for layers of class {@code kind} (exactly, or subclasses/implementations when no
     * closer registration exists). Returns the sampler it replaces, if any.
     */
    public <L extends Layer> Optional<LayerSampler<?>> register(Class<L> kind, LayerSampler<? super L> sampler) {
        if (kind == null || sampler == null) {
            throw new GradSampleException("register: layer kind and sampler must not be null");
        }
        return Optional.ofNullable(samplers.put(kind, sampler));
    }

    /** Removes the sampler registered for exactly {@code kind}; returns it if there was one. */
    public Optional<LayerSampler<?>> unregister(Class<? extends Layer> kind) {
        return Optional.ofNullable(samplers.remove(kind));
    }

    /** The sampler for this layer: its class, then its superclasses, then its interfaces. */
    @SuppressWarnings("unchecked")
    public <L extends Layer> Optional<LayerSampler<L>> find(L layer) {
        for (Class<?> c = layer.getClass(); c != null; c = c.getSuperclass()) {
            LayerSampler<?> s = samplers.get(c);
            if (s != null) {
                return Optional.of((LayerSampler<L>) s);
            }
        }
        for (Class<?> i : allInterfaces(layer.getClass())) {
            LayerSampler<?> s = samplers.get(i);
            if (s != null) {
                return Optional.of((LayerSampler<L>) s);
            }
        }
        return Optional.empty();
    }

    /** The sampler for this layer, or an {@link UnsupportedLayerException} naming the layer. */
    public <L extends Layer> LayerSampler<L> require(L layer) {
        return find(layer).orElseThrow(() -> new UnsupportedLayerException("no grad sampler registered for layer "
                + layer.kind() + " (" + layer.getClass().getName() + "); register one with "
                + "GradSamplerRegistry.register"));
    }

    private static java.util.List<Class<?>> allInterfaces(Class<?> c) {
        java.util.List<Class<?>> out = new java.util.ArrayList<>();
        java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>();
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            todo.addAll(java.util.Arrays.asList(k.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.poll();
            if (!out.contains(i)) {
                out.add(i);
                todo.addAll(java.util.Arrays.asList(i.getInterfaces()));
            }
        }
        return out;
    }
}
