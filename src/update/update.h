/* SPDX-License-Identifier: MIT */
#pragma once

/* Verbs of the update program. Each takes the arguments after the verb name (argv[0] is the verb) and
 * returns an exit status. */
int verb_verify(int argc, char *argv[]);
