/** @file
 * lambda-c.h - everything a lambda-c handler needs, in one include.
 */
#ifndef LAMBDA_C_H
#define LAMBDA_C_H

#include "lambda-c/version.h"
#include "lambda-c/error.h"
#include "lambda-c/context.h"
#include "lambda-c/event.h"
#include "lambda-c/response.h"
#include "lambda-c/log.h"
#include "lambda-c/metrics.h"
#include "lambda-c/handler.h"
#include "lambda-c/runtime.h"

#endif
