/** Architecture rules (ArchUnit) over the main classes, with a deliberately bad class that shows they fire. */
package org.einsum4j.arch;
