package org.einsum4j.path;

/**
 * The iteration order of a CPython {@code set} of small non-negative ints (hash = value), as opt_einsum's
 * {@code optimal} and {@code branch} searches build it: {@code set(range(n))}, then
 * {@code (remaining - {i, j}) | {k}} at each step. Those searches visit pairs in this order, and it decides
 * which of several equally cheap paths is found first (and, for branch, which candidates its progress cut-off
 * sees first), so following it reproduces opt_einsum's paths. This models CPython's open-addressing table
 * (minimum 8 slots, 9 linear probes then perturbation, the resize rules of set_add_entry, set_merge,
 * set_difference and set_or) for this use only.
 */
final class PySetOrder {
    private static final int EMPTY = -1;
    private static final int DUMMY = -2;
    private static final int LINEAR_PROBES = 9;
    private static final int PERTURB_SHIFT = 5;

    private int[] table;
    private int mask;
    private int fill;
    private int used;

    private PySetOrder() {
        table = new int[8];
        java.util.Arrays.fill(table, EMPTY);
        mask = 7;
    }

    /** {@code set(range(n))}. */
    static PySetOrder range(int n) {
        PySetOrder s = new PySetOrder();
        for (int k = 0; k < n; k++) {
            s.add(k);
        }
        return s;
    }

    /** The elements in iteration order. */
    int[] order() {
        int[] o = new int[used];
        int p = 0;
        for (int key : table) {
            if (key >= 0) {
                o[p++] = key;
            }
        }
        return o;
    }

    /** {@code (this - {i, j}) | {k}}. */
    PySetOrder minusPairPlus(int i, int j, int k) {
        PySetOrder diff;
        if ((used >> 2) > 2) {
            diff = copy(this); // set_copy_and_difference
            diff.discard(i);
            diff.discard(j);
        } else {
            diff = new PySetOrder();
            for (int key : table) {
                if (key >= 0 && key != i && key != j) {
                    diff.add(key);
                }
            }
        }
        PySetOrder result = copy(diff);
        // set_merge of {k} into a non-empty set: one resize check first, then a normal insertion
        if ((long) (result.fill + 1) * 5 >= (long) result.mask * 3) {
            result.resize((result.used + 1) * 2);
        }
        result.add(k);
        return result;
    }

    /** set_copy: set_merge into a fresh set. */
    private static PySetOrder copy(PySetOrder other) {
        PySetOrder so = new PySetOrder();
        if (other.used == 0) {
            return so;
        }
        if ((long) (so.fill + other.used) * 5 >= (long) so.mask * 3) {
            so.resize((so.used + other.used) * 2);
        }
        if (so.fill == 0 && so.mask == other.mask && other.fill == other.used) {
            so.table = other.table.clone();
            so.fill = other.fill;
            so.used = other.used;
            return so;
        }
        so.fill = other.used;
        so.used = other.used;
        for (int key : other.table) {
            if (key >= 0) {
                insertClean(so.table, so.mask, key);
            }
        }
        return so;
    }

    private void add(int key) {
        int i = key & mask;
        int perturb = key;
        int freeslot = -1;
        while (true) {
            int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
            int e = i;
            while (true) {
                int k = table[e];
                if (k == EMPTY) {
                    if (freeslot >= 0) {
                        table[freeslot] = key;
                        used++;
                        return;
                    }
                    table[e] = key;
                    fill++;
                    used++;
                    if ((long) fill * 5 >= (long) mask * 3) {
                        resize(used > 50000 ? used * 2 : used * 4);
                    }
                    return;
                }
                if (k == key) {
                    return;
                }
                if (k == DUMMY && freeslot < 0) {
                    freeslot = e;
                }
                if (probes-- == 0) {
                    break;
                }
                e++;
            }
            perturb >>>= PERTURB_SHIFT;
            i = (i * 5 + 1 + perturb) & mask;
        }
    }

    private void discard(int key) {
        for (int e = 0; e <= mask; e++) {
            if (table[e] == key) {
                table[e] = DUMMY;
                used--;
                return;
            }
        }
    }

    private void resize(int minused) {
        int newsize = 8;
        while (newsize <= minused) {
            newsize <<= 1;
        }
        int[] old = table;
        table = new int[newsize];
        java.util.Arrays.fill(table, EMPTY);
        mask = newsize - 1;
        fill = used;
        for (int key : old) {
            if (key >= 0) {
                insertClean(table, mask, key);
            }
        }
    }

    private static void insertClean(int[] table, int mask, int key) {
        int perturb = key;
        int i = key & mask;
        while (true) {
            if (table[i] == EMPTY) {
                table[i] = key;
                return;
            }
            if (i + LINEAR_PROBES <= mask) {
                for (int j = 1; j <= LINEAR_PROBES; j++) {
                    if (table[i + j] == EMPTY) {
                        table[i + j] = key;
                        return;
                    }
                }
            }
            perturb >>>= PERTURB_SHIFT;
            i = (i * 5 + 1 + perturb) & mask;
        }
    }
}
