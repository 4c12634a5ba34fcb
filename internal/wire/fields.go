package wire

// Scalar reads the next value with set.
func Scalar[T any](d *Decoder, p *T, set func(*T, []byte) error) error {
	b, err := d.Value()
	if err != nil {
		return err
	}
	if err := set(p, b); err != nil {
		return d.Fail(err)
	}
	return nil
}

// Interned reads a string as SetString does; a plain JSON string of a
// Stream's input that was read before is not allocated again.
func Interned(d *Decoder, p *string) error {
	b, err := d.Value()
	if err != nil {
		return err
	}
	if d.words != nil && len(b) >= 2 && b[0] == '"' && plain(b[1:len(b)-1]) {
		*p = d.words.word(b[1 : len(b)-1])
		return nil
	}
	if err := SetString(p, b); err != nil {
		return d.Fail(err)
	}
	return nil
}

// ScalarPtr reads the next value into a new T with set; null leaves nil.
func ScalarPtr[T any](d *Decoder, p **T, set func(*T, []byte) error) error {
	if d.Null() {
		*p = nil
		return nil
	}
	v := new(T)
	*p = v
	return Scalar(d, v, set)
}

// ScalarSlice reads an array of scalars with set; null leaves nil, [] is
// empty but not nil (as encoding/json has it).
func ScalarSlice[T any](d *Decoder, p *[]T, set func(*T, []byte) error) error {
	return Slice(d, p, func(v *T, d *Decoder) error { return Scalar(d, v, set) })
}

// Ptr reads the next value into a new T with dec; null leaves nil.
func Ptr[T any](d *Decoder, p **T, dec func(*T, *Decoder) error) error {
	if d.Null() {
		*p = nil
		return nil
	}
	v := new(T)
	*p = v
	return dec(v, d)
}

// Slice reads an array, each element with dec; null leaves nil, [] is
// empty but not nil.
func Slice[T any](d *Decoder, p *[]T, dec func(*T, *Decoder) error) error {
	if d.Null() {
		*p = nil
		return nil
	}
	// Grown from empty and trimmed when done: a decoded slice is often
	// kept (a catalog holds 100,000 products' fields), and capacity beyond
	// its length would be kept with it.
	s := []T{}
	for a := d.Array(); a.Next(); {
		var zero T
		s = append(s, zero)
		if err := dec(&s[len(s)-1], d); err != nil {
			return err
		}
	}
	if cap(s)-len(s) > len(s)/8 {
		s = append(make([]T, 0, len(s)), s...)
	}
	*p = s
	return d.Err()
}

// Map reads an object of T values, each with dec; null leaves nil.
func Map[T any](d *Decoder, p *map[string]T, dec func(*T, *Decoder) error) error {
	if d.Null() {
		*p = nil
		return nil
	}
	m := map[string]T{}
	for o := d.Object(); o.Next(); {
		var v T
		if err := dec(&v, d); err != nil {
			return err
		}
		m[string(o.Key())] = v
	}
	*p = m
	return d.Err()
}

// Lenient reads the next value with dec, leaving *p zero instead of
// failing when the value is not of the shape dec wants: for the catalog's
// inferred sub-schemas, where an unknown shape must not refuse the whole
// catalog. Malformed JSON is still an error.
func Lenient[T any](d *Decoder, p *T, dec func(*T, *Decoder) error) error {
	b, err := d.Value()
	if err != nil {
		return err
	}
	sub := d.sub(b)
	if dec(p, &sub) != nil || sub.End() != nil {
		var zero T
		*p = zero
	}
	return nil
}

// Object reads an object into t, handing each member's key to member,
// which reads or skips its value: the loop of every generated decoder.
func Object[T any](d *Decoder, t *T, member func(*T, *Decoder, []byte) error) error {
	for m := d.Object(); m.Next(); {
		if err := member(t, d, m.Key()); err != nil {
			return err
		}
	}
	return d.Err()
}

// Decode reads all of b with dec: the body of a generated UnmarshalJSON.
func Decode[T any](b []byte, p *T, dec func(*T, *Decoder) error) error {
	d := NewDecoder(b)
	if err := dec(p, &d); err != nil {
		return err
	}
	return d.End()
}

// Shared reads the next value with dec. Within a Stream, a value
// whose JSON was read before (byte for byte) is not decoded again: *p is
// set to the earlier result, so a slice or pointer is shared by every
// repeat (its readers must not write through it). The table is bounded,
// as the words' is.
func Shared[T any](d *Decoder, p *T, dec func(*T, *Decoder) error) error {
	if d.words == nil {
		return dec(p, d)
	}
	b, err := d.Value()
	if err != nil {
		return err
	}
	if v, ok := d.words.shared[string(b)].(T); ok {
		*p = v
		return nil
	}
	sub := d.sub(b)
	if err := dec(p, &sub); err != nil {
		return d.Fail(err)
	}
	if err := sub.End(); err != nil {
		return d.Fail(err)
	}
	if len(d.words.shared) < maxShared && len(b) <= maxSharedLen {
		d.words.shared[string(b)] = *p
	}
	return nil
}
