/*
 * cli — the `regua` command line: global option parsing and dispatch to
 * one file per command group (cli_*.c). Commands are thin shells over the
 * service layer; they only parse arguments and print results.
 */
#ifndef RG_CLI_H
#define RG_CLI_H

int rg_cli_main(int argc, char **argv);

#endif
