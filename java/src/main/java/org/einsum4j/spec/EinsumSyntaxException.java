package org.einsum4j.spec;

import org.einsum4j.Einsum4jException;

/** A spec that does not follow numpy.einsum's grammar; the message shows the spec with a caret at the fault. */
public class EinsumSyntaxException extends Einsum4jException {
    private final String spec;
    private final int position;

    public EinsumSyntaxException(String spec, int position, String problem) {
        super(problem + " at position " + position + "\n  " + spec + "\n  " + " ".repeat(Math.max(position, 0)) + "^");
        this.spec = spec;
        this.position = position;
    }

    public String spec() {
        return spec;
    }

    /** 0-based index into the spec string. */
    public int position() {
        return position;
    }
}
