package org.einsum4j;

/**
 * A call whose result, intermediates and workspace (known from the shapes before any work) do not fit: in the
 * memory the device has available, or under the user limit {@code einsum4j.maxCallBytes}. Thrown before
 * anything is allocated; the message says what the call needs and what is available.
 */
public class InsufficientMemoryException extends Einsum4jException {
    public InsufficientMemoryException(String message) {
        super(message);
    }
}
