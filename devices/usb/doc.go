// Package usb is the USB HID transport: a devices.Link over libusb (through
// github.com/google/gousb v1.1.3) that reads whole HID input reports from one
// interface of one device, and List, which discovers attached USB devices.
//
// # What Open does
//
// It finds the device by vendor and product id (and by serial number when
// the Selector names one; otherwise the one on the lowest port), keeps its
// active configuration, picks on the wanted interface the lowest alternate
// setting with an interrupt IN endpoint, claims that interface and reads it.
// Each Read is one interrupt IN transfer of the endpoint's packet size, so it
// returns exactly one report. Write sends an output report to the interrupt
// OUT endpoint, or as SET_REPORT on the control pipe when there is none.
//
// # The kernel's drivers
//
// On Linux the kernel's usbhid driver owns every HID interface, and gives
// it to user space as a /dev/hidrawN node and, for keyboards, as an input
// device whose keys reach the desktop. To read the interface here, usbhid
// has to let go of it. gousb's SetAutoDetach(true) would detach the kernel
// driver of every interface of the device when the configuration is taken,
// so a composite scanner would also lose its other functions (a second HID
// interface, a USB serial port). Open therefore takes the configuration with
// auto-detach off and turns it on only afterwards: from then on libusb's own
// auto-detach acts per claimed interface, detaching usbhid from the one
// interface read here when it is claimed and attaching it again when Close
// releases it. While the Link is open that interface has no hidraw node and,
// for a keyboard wedge, its keystrokes no longer reach the desktop (which is
// what a depot wants: scans are not typed into whatever window has focus).
// If the process dies without Close, the kernel releases the interface but
// may not bind usbhid to it again until the scanner is plugged in anew.
//
// gousb indexes a configuration's interfaces by number when it claims one,
// so a device whose interface numbers have gaps cannot be opened.
//
// # Limits
//
//   - No hotplug: libusb's hotplug callbacks are not used. The device manager
//     polls List and reopens with backoff when a Read fails (a removed device
//     fails its transfers with "no device").
//   - Permissions: opening needs write access to /dev/bus/usb/BBB/DDD, given
//     by a udev rule for the scanner's ids; without it Open fails with libusb's
//     "bad access" and List shows the device with Opened false and no strings.
//   - Only the active configuration is used; Open never switches it, since that
//     would need every interface's driver detached.
//   - HID report descriptors are not parsed: the profile names the interface
//     (transport.interface) and the codec knows the report layout.
//   - Built without cgo (CGO_ENABLED=0), Open and List return an error
//     wrapping devices.ErrNotSupported.
//   - It is written for Linux. On macOS libusb can take an interface from the
//     system's HID driver only with root or a special entitlement, and on
//     Windows only after the interface is given the WinUSB driver.
package usb
