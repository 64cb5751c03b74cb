#ifndef ATOMO_CARGON2_SHIM_H
#define ATOMO_CARGON2_SHIM_H
#include <argon2.h>
#endif
