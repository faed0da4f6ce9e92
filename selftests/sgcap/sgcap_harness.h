/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h for the sgcap tests, which build with -Wall -Wextra
 * -Werror. The 6.12 harness trips two -Wextra warnings in its own code:
 * unused parameters (its SIGALRM handler, the wrapper every TEST()/TEST_F()
 * expands to) and a local that setjmp() may clobber in the TEST_F() wrapper.
 * Those two are off from here to the end of the including file; nothing
 * else is relaxed.
 */
#ifndef SGCAP_HARNESS_H
#define SGCAP_HARNESS_H

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#endif /* SGCAP_HARNESS_H */
