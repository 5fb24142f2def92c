/*
 * The shortest decimal that reads back as a given double (round to nearest, ties to even),
 * and among those of that length the one closest to it, ties to an even last digit: the
 * digits of Number#toString and of Python's repr. Schubfach (Raffaello Giulietti, "The
 * Schubfach way to render doubles", 2020): a fixed number of 128-bit multiplications, no
 * search and no bignum at run time.
 *
 * Thread-safe; the table of 10^k approximations is computed once, on first use, without
 * allocating. Never fails.
 */
#ifndef HFDS_UTIL_SHORTEST_H
#define HFDS_UTIL_SHORTEST_H

#include <stdint.h>

/* For a finite a > 0: a = *digits x 10^*exp10 printed with the fewest significant digits
 * (*digits may end in zeros, which the caller strips). */
void hfds_shortest_double(double a, uint64_t *digits, int *exp10);

#endif
