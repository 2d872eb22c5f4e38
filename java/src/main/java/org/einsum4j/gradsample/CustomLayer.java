package org.einsum4j.gradsample;

/**
 * A layer outside the built-in family: implement it (a record is best), register a {@link LayerSampler} for its
 * class with {@link GradSamplerRegistry#register}, and {@link GradSampler#compute} dispatches to it.
 */
public interface CustomLayer extends Layer {
}
