#ifndef ATOMO_CCRYPT_SHIM_H
#define ATOMO_CCRYPT_SHIM_H
#include <crypt.h>
#endif
