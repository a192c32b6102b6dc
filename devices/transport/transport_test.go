package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/partsedge/partsedge/devices"
)

func openPTY(t *testing.T) (master *os.File, path string) {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	path = s.Name()
	// The test opens the slave again through go.bug.st/serial, as depotd
	// does; keeping this fd open would hide the hang-up when master closes.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, path
}

func TestSerialOverPTY(t *testing.T) {
	m, path := openPTY(t)
	l, err := OpenSerial(path, SerialMode{Baud: 115200})
	if err != nil {
		t.Fatalf("OpenSerial: %v", err)
	}
	defer l.Close()

	if err := l.SetReadTimeout(50 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, err := l.Read(buf); !errors.Is(err, devices.ErrTimeout) || n != 0 {
		t.Fatalf("idle read = %d, %v; want 0, ErrTimeout", n, err)
	}

	// Binary frames must pass unchanged: the port is raw, no echo, no CR/LF
	// translation.
	frame := []byte{0xA0, 0x04, 0x01, 0x89, 0x01, 0xD1, 0x0D, 0x0A, 0x03, 0x11, 0x13}
	if _, err := m.Write(frame); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for len(got) < len(frame) {
		n, err := l.Read(buf)
		if err != nil {
			t.Fatalf("read: %v (got %x)", err, got)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, frame) {
		t.Fatalf("read %x, want %x", got, frame)
	}

	if _, err := l.Write([]byte("SYN\r")); err != nil {
		t.Fatal(err)
	}
	back := make([]byte, 4)
	if _, err := io.ReadFull(m, back); err != nil || string(back) != "SYN\r" {
		t.Fatalf("master read %q, %v", back, err)
	}

	// Unplugging (the far side closing) is an error, not an endless timeout.
	m.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := l.Read(buf)
		if err != nil && !errors.Is(err, devices.ErrTimeout) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("reads kept timing out after the far side closed")
		}
	}
}

func TestSerialCloseUnblocksRead(t *testing.T) {
	_, path := openPTY(t)
	l, err := OpenSerial(path, SerialMode{Baud: 9600})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetReadTimeout(0); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := l.Read(make([]byte, 8))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	l.Close()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, devices.ErrTimeout) {
			t.Fatalf("read after close = %v, want a closed-port error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock a waiting Read")
	}
}

func TestSerialModeErrors(t *testing.T) {
	for _, m := range []SerialMode{{Parity: "mark"}, {StopBits: 3}} {
		if _, err := OpenSerial("/nonexistent", m); err == nil {
			t.Errorf("OpenSerial with %+v: want an error", m)
		}
	}
	if _, err := OpenSerial(filepath.Join(t.TempDir(), "nope"), SerialMode{}); err == nil {
		t.Error("opening a missing port: want an error")
	}
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		b := make([]byte, 3)
		io.ReadFull(c, b)
		c.Write(append([]byte("re:"), b...))
		time.Sleep(200 * time.Millisecond)
	}()
	l, err := DialTCP(context.Background(), ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.SetReadTimeout(100 * time.Millisecond)
	if _, err := l.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 6)
	if _, err := io.ReadFull(l, got); err != nil || string(got) != "re:abc" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := l.Read(got); !errors.Is(err, devices.ErrTimeout) {
		t.Fatalf("idle read: %v, want ErrTimeout", err)
	}
	if _, err := DialTCP(context.Background(), "127.0.0.1:1"); err == nil {
		t.Fatal("dialing a closed port: want an error")
	}
}

// TestDiscover builds the sysfs shapes of a CDC-ACM scanner, an FTDI bridge,
// a built-in UART and a pseudo-terminal, as the kernel lays them out.
func TestDiscover(t *testing.T) {
	root := t.TempDir()
	mk := func(path string, files map[string]string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(root, path), 0o755); err != nil {
			t.Fatal(err)
		}
		for n, v := range files {
			if err := os.WriteFile(filepath.Join(root, path, n), []byte(v+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(root, target), filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	mk("bus/usb", nil)
	mk("bus/usb-serial", nil)
	mk("bus/platform", nil)
	mk("bus/usb/drivers/cdc_acm", nil)
	mk("bus/usb-serial/drivers/ftdi_sio", nil)

	acm := "devices/pci0000:00/usb1/1-1"
	mk(acm, map[string]string{"idVendor": "0C2E", "idProduct": "0b6a", "serial": "19100B1234", "manufacturer": "Honeywell Imaging & Mobility", "product": "Xenon 1900g"})
	mk(acm+"/1-1:1.0", nil)
	link("bus/usb", acm+"/1-1:1.0/subsystem")
	link("bus/usb/drivers/cdc_acm", acm+"/1-1:1.0/driver")
	mk("class/tty/ttyACM0", nil)
	link(acm+"/1-1:1.0", "class/tty/ttyACM0/device")

	ftdi := "devices/pci0000:00/usb1/1-2"
	mk(ftdi, map[string]string{"idVendor": "0403", "idProduct": "6001", "serial": "", "product": "FT232R USB UART"})
	mk(ftdi+"/1-2:1.0/ttyUSB0", nil)
	link("bus/usb-serial", ftdi+"/1-2:1.0/ttyUSB0/subsystem")
	link("bus/usb-serial/drivers/ftdi_sio", ftdi+"/1-2:1.0/ttyUSB0/driver")
	mk("class/tty/ttyUSB0", nil)
	link(ftdi+"/1-2:1.0/ttyUSB0", "class/tty/ttyUSB0/device")

	mk("devices/platform/serial8250/tty/ttyS0", nil)
	link("bus/platform", "devices/platform/serial8250/subsystem")
	mk("class/tty/ttyS0", nil)
	link("devices/platform/serial8250", "class/tty/ttyS0/device")
	mk("class/tty/ptmx", nil) // no device link

	got, err := Discoverer{Root: root, Dev: "/dev"}.Ports()
	if err != nil {
		t.Fatal(err)
	}
	want := []Port{
		{Path: "/dev/ttyACM0", VID: "0c2e", PID: "0b6a", Serial: "19100B1234", Manufacturer: "Honeywell Imaging & Mobility", Product: "Xenon 1900g", Driver: "cdc_acm"},
		{Path: "/dev/ttyUSB0", VID: "0403", PID: "6001", Product: "FT232R USB UART", Driver: "ftdi_sio"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d ports %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("port %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}

	none, err := Discoverer{Root: filepath.Join(root, "missing")}.Ports()
	if err != nil || len(none) != 0 {
		t.Fatalf("no sysfs: %v, %v", none, err)
	}
}
