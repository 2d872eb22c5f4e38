package org.einsum4j.gradsample;

/** An Embedding index outside {@code [0, V)}; the message gives the index, its position and V. */
public class IndexOutOfRangeException extends GradSampleException {
    public IndexOutOfRangeException(String message) {
        super(message);
    }
}
