package org.einsum4j.path;

import org.einsum4j.Einsum4jException;

/** An explicit or user-supplied path that names missing or repeated operands, or does not end with one. */
public class InvalidPathException extends Einsum4jException {
    public InvalidPathException(String message) {
        super(message);
    }
}
