package org.einsum4j.dp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.gradsample.GroupNormLayer;
import org.einsum4j.gradsample.InstanceNormLayer;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LayerNormLayer;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.gradsample.RnnLayer;
import org.einsum4j.gradsample.SequenceBiasLayer;

/**
 * Maps layer kinds (the class of a {@link Layer} description) to their {@link GhostNorm}, as
 * {@link org.einsum4j.gradsample.GradSamplerRegistry} does for grad samplers. The {@link #global() global} registry
 * holds the built-ins (every layer kind of the grad samplers) and takes users' ghost norms for their
 * {@link org.einsum4j.gradsample.CustomLayer}s; a layer without one is still handled by the DP step, by
 * materializing its per-sample gradients with its grad sampler. Thread-safe.
 */
public final class GhostNormRegistry {
    private static final GhostNormRegistry GLOBAL = withBuiltins();

    private final Map<Class<?>, GhostNorm<?>> norms = new ConcurrentHashMap<>();

    private GhostNormRegistry() {
    }

    /** The process-wide registry that {@link DpStep} uses unless given another. */
    public static GhostNormRegistry global() {
        return GLOBAL;
    }

    /** A new registry holding only the built-in ghost norms. */
    public static GhostNormRegistry withBuiltins() {
        GhostNormRegistry r = new GhostNormRegistry();
        r.register(LinearLayer.class, new LinearGhostNorm());
        r.register(ConvLayer.class, new ConvGhostNorm());
        r.register(EmbeddingLayer.class, new EmbeddingGhostNorm());
        r.register(RnnLayer.class, new RnnGhostNorm());
        r.register(LayerNormLayer.class, new SmallGradientNorm<LayerNormLayer>(l -> 0));
        r.register(GroupNormLayer.class, new SmallGradientNorm<GroupNormLayer>(l -> 0));
        r.register(InstanceNormLayer.class, new SmallGradientNorm<InstanceNormLayer>(l -> 0));
        r.register(SequenceBiasLayer.class, new SmallGradientNorm<SequenceBiasLayer>(l -> l.batchFirst() ? 0 : 1));
        return r;
    }

    /** Registers {@code norm} for layers of class {@code kind}; returns the one it replaces, if any. */
    public <L extends Layer> Optional<GhostNorm<?>> register(Class<L> kind, GhostNorm<? super L> norm) {
        if (kind == null || norm == null) {
            throw new DpException("register: layer kind and ghost norm must not be null");
        }
        return Optional.ofNullable(norms.put(kind, norm));
    }

    /** Removes the ghost norm registered for exactly {@code kind}; returns it if there was one. */
    public Optional<GhostNorm<?>> unregister(Class<? extends Layer> kind) {
        return Optional.ofNullable(norms.remove(kind));
    }

    /** The ghost norm for this layer: its class, then its superclasses, then its interfaces. */
    @SuppressWarnings("unchecked")
    public <L extends Layer> Optional<GhostNorm<L>> find(L layer) {
        List<Class<?>> order = new ArrayList<>();
        for (Class<?> c = layer.getClass(); c != null; c = c.getSuperclass()) {
            order.add(c);
        }
        ArrayDeque<Class<?>> todo = new ArrayDeque<>();
        for (Class<?> c : new ArrayList<>(order)) {
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.poll();
            if (!order.contains(i)) {
                order.add(i);
                todo.addAll(Arrays.asList(i.getInterfaces()));
            }
        }
        for (Class<?> c : order) {
            GhostNorm<?> n = norms.get(c);
            if (n != null) {
                return Optional.of((GhostNorm<L>) n);
            }
        }
        return Optional.empty();
    }
}
