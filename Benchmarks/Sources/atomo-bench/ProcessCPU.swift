import Foundation

#if canImport(CoreFoundation)
// `rusage` and `timeval`: see the note in CRDTB4Command.swift.
import CoreFoundation
#endif

/// User and system CPU time the process has used, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
