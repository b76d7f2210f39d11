/* vanban — symbol visibility for the public API.
 *
 * The library is built with hidden visibility; only declarations marked VANBAN_API are exported from
 * libvanban.so. Define VANBAN_STATIC_DEFINE when linking a static build on Windows. Usable from C and C++. */
#ifndef VANBAN_EXPORT_H
#define VANBAN_EXPORT_H

#if defined(_WIN32) && !defined(VANBAN_STATIC_DEFINE)
#if defined(VANBAN_BUILDING)
#define VANBAN_API __declspec(dllexport)
#else
#define VANBAN_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define VANBAN_API __attribute__((visibility("default")))
#else
#define VANBAN_API
#endif

#endif /* VANBAN_EXPORT_H */
