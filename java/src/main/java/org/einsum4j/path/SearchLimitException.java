package org.einsum4j.path;

import org.einsum4j.Einsum4jException;

/**
 * An exhaustive path optimizer ({@code optimal}, {@code branch-all}) refused a network with more operands than it
 * can search in reasonable time, or ran past the search deadline ({@code ContractOptions.withMaxSearchTime}). The
 * message names the cheaper optimizers that handle the network ({@code greedy}, {@code dp}, {@code auto-hq}).
 */
public class SearchLimitException extends Einsum4jException {
    public SearchLimitException(String message) {
        super(message);
    }
}
