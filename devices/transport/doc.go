// Package transport opens the links devices are reached over: serial ports
// (RS-232, USB CDC-ACM and USB-serial bridges) through go.bug.st/serial, and
// TCP for network readers and serial-over-IP adapters. USB HID scanners have
// their own transport in devices/usb.
//
// Discovery reads the USB facts of each tty from sysfs and never opens a
// port: go.bug.st/serial's GetPortsList (and the enumerator built on it)
// opens and reconfigures every ttyS port it probes, which would disturb a
// device another goroutine is talking to.
package transport
