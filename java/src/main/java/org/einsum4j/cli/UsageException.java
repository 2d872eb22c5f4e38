package org.einsum4j.cli;

/**
 * A command line that cannot be run as written (unknown option, missing value, bad number): {@link Main} prints
 * its message as one line and exits with status 2.
 */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
