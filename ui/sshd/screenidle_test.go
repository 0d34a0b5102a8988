package sshd

import "time"

// setScreenIdle is how the load test sets screenIdle (OFFDUTY_LOAD_SCREEN_IDLE);
// apart from load_test.go, so that the same load test builds on a commit
// without the screen (with a stub of this file).
func setScreenIdle(d time.Duration) { screenIdle = d }
